#include "receivers/stomp/stomp_frame.h"

#include <algorithm>
#include <charconv>

namespace herald::receivers::stomp {
namespace {

bool EscapesHeaders(std::string_view command) {
  return command != "CONNECT" && command != "CONNECTED";
}

std::string Escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case ':':
        out += "\\c";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    if (i + 1 == text.size()) throw ProtocolError("a header ends in a lone backslash");
    switch (text[++i]) {
      case '\\':
        out += '\\';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 'c':
        out += ':';
        break;
      default:
        // The spec: undefined escape sequences MUST be treated as fatal.
        throw ProtocolError(std::string("undefined escape sequence \\") + text[i] + " in a header");
    }
  }
  return out;
}

bool IsCommand(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// One line ending at buffer[end] == '\n', without the LF or a CR before it.
std::string_view Line(std::string_view buffer, std::size_t start, std::size_t end) {
  std::string_view line = buffer.substr(start, end - start);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace

std::optional<std::string> Frame::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return std::nullopt;
}

std::string Encode(const Frame& frame) {
  const bool escape = EscapesHeaders(frame.command);
  std::string out = frame.command + "\n";
  for (const auto& [name, value] : frame.headers) {
    out += escape ? Escape(name) : name;
    out += ':';
    out += escape ? Escape(value) : value;
    out += '\n';
  }
  out += '\n';
  out += frame.body;
  out += '\0';
  return out;
}

std::optional<Frame> FrameDecoder::Next() {
  // Heart-beats: end-of-lines before a frame.
  std::size_t start = 0;
  while (start < buffer_.size() &&
         (buffer_[start] == '\n' ||
          (buffer_[start] == '\r' && start + 1 < buffer_.size() && buffer_[start + 1] == '\n'))) {
    start += buffer_[start] == '\n' ? 1 : 2;
  }
  buffer_.erase(0, start);
  if (buffer_.empty()) return std::nullopt;
  const std::string_view buf(buffer_);

  Frame frame;
  std::size_t pos = 0;
  bool first = true;
  // The command and the headers, up to the blank line.
  for (;;) {
    const std::size_t lf = buf.find('\n', pos);
    if (lf == std::string_view::npos) {
      if (buffer_.size() > max_frame_) throw ProtocolError("a frame's headers exceed the limit");
      return std::nullopt;
    }
    const std::string_view line = Line(buf, pos, lf);
    pos = lf + 1;
    if (first) {
      if (!IsCommand(line)) {
        throw ProtocolError("not a STOMP command: \"" + std::string(line.substr(0, 40)) + "\"");
      }
      frame.command = line;
      first = false;
      continue;
    }
    if (line.empty()) break;
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      throw ProtocolError("a header line without ':' in a " + frame.command + " frame");
    }
    const bool escape = EscapesHeaders(frame.command);
    std::string name(line.substr(0, colon));
    std::string value(line.substr(colon + 1));
    if (escape) {
      name = Unescape(name);
      value = Unescape(value);
    }
    frame.headers.emplace_back(std::move(name), std::move(value));
  }

  // The body: content-length octets then NUL, or everything up to the NUL.
  std::size_t end;
  if (auto length = frame.Header("content-length")) {
    std::size_t n = 0;
    const auto [ptr, ec] = std::from_chars(length->data(), length->data() + length->size(), n);
    if (ec != std::errc() || ptr != length->data() + length->size() || length->empty()) {
      throw ProtocolError("content-length is not a number: \"" + *length + "\"");
    }
    if (n > max_frame_) throw ProtocolError("a frame's body exceeds the limit");
    if (buf.size() < pos + n + 1) return std::nullopt;
    if (buf[pos + n] != '\0') throw ProtocolError("a body longer than its content-length");
    end = pos + n;
  } else {
    end = buf.find('\0', pos);
    if (end == std::string_view::npos) {
      if (buffer_.size() > max_frame_) throw ProtocolError("a frame exceeds the limit");
      return std::nullopt;
    }
  }
  frame.body.assign(buf.substr(pos, end - pos));
  buffer_.erase(0, end + 1);
  return frame;
}

}  // namespace herald::receivers::stomp
