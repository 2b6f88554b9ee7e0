#include "version/apk.h"

#include "version/numbers.h"

#include <array>
#include <cstddef>
#include <string_view>

namespace herald::version {
namespace {

constexpr bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
constexpr bool IsLower(char c) {
  return c >= 'a' && c <= 'z';
}
constexpr bool IsHex(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// The declaration order is the semantics, as in apk-tools: when two versions
// agree up to the point where one has a different kind of token next, the
// one whose next token kind comes first is the newer one.
enum class Token {
  kInitialDigit,
  kDigit,
  kLetter,
  kSuffix,
  kSuffixNo,
  kCommitHash,
  kRevisionNo,
  kEnd,
  kInvalid,
};

// Suffixes ranked around kNone (a plain release): pre-release ones below it,
// patch-level ones above.
enum Suffix : int {
  kSuffixInvalid,
  kSuffixAlpha,
  kSuffixBeta,
  kSuffixPre,
  kSuffixRc,
  kSuffixNone,
  kSuffixCvs,
  kSuffixSvn,
  kSuffixGit,
  kSuffixHg,
  kSuffixP,
};

Suffix SuffixValue(std::string_view s) {
  struct Entry {
    std::string_view name;
    Suffix value;
  };
  static constexpr std::array<Entry, 9> kSuffixes = {{
      {"alpha", kSuffixAlpha},
      {"beta", kSuffixBeta},
      {"pre", kSuffixPre},
      {"rc", kSuffixRc},
      {"cvs", kSuffixCvs},
      {"svn", kSuffixSvn},
      {"git", kSuffixGit},
      {"hg", kSuffixHg},
      {"p", kSuffixP},
  }};
  for (const Entry& e : kSuffixes) {
    if (e.name == s) {
      return e.value;
    }
  }
  return kSuffixInvalid;
}

// Walks a version one token at a time, as apk-tools' token_first/token_next.
// Each token is a view into the input; nothing is copied.
class Tokenizer {
 public:
  explicit Tokenizer(std::string_view v) : rest_(v) {
    TakeSpan(IsDigit);
    token_ = value_.empty() ? Token::kInvalid : Token::kInitialDigit;
  }

  Token token() const { return token_; }
  std::string_view value() const { return value_; }
  Suffix suffix() const { return suffix_; }

  void Next() {
    if (rest_.empty()) {
      token_ = Token::kEnd;
      return;
    }
    const char c = rest_.front();
    if (IsLower(c)) {
      // A single letter, and only straight after a number.
      if (token_ > Token::kDigit) {
        return Invalidate();
      }
      value_ = rest_.substr(0, 1);
      rest_.remove_prefix(1);
      token_ = Token::kLetter;
    } else if (c == '.' || IsDigit(c)) {
      if (c == '.') {
        if (token_ > Token::kDigit) {
          return Invalidate();
        }
        rest_.remove_prefix(1);
      }
      if (token_ == Token::kSuffix) {
        token_ = Token::kSuffixNo;
      } else if (token_ == Token::kInitialDigit || token_ == Token::kDigit) {
        token_ = Token::kDigit;
      } else {
        return Invalidate();
      }
      TakeSpan(IsDigit);
      if (value_.empty()) {
        Invalidate();
      }
    } else if (c == '_') {
      if (token_ > Token::kSuffixNo) {
        return Invalidate();
      }
      rest_.remove_prefix(1);
      TakeSpan(IsLower);
      suffix_ = SuffixValue(value_);
      if (suffix_ == kSuffixInvalid) {
        return Invalidate();
      }
      token_ = Token::kSuffix;
    } else if (c == '~') {
      if (token_ >= Token::kCommitHash) {
        return Invalidate();
      }
      rest_.remove_prefix(1);
      TakeSpan(IsHex);
      if (value_.empty()) {
        return Invalidate();
      }
      token_ = Token::kCommitHash;
    } else if (c == '-') {
      if (token_ >= Token::kRevisionNo || rest_.substr(0, 2) != "-r") {
        return Invalidate();
      }
      rest_.remove_prefix(2);
      TakeSpan(IsDigit);
      token_ = value_.empty() ? Token::kInvalid : Token::kRevisionNo;
    } else {
      Invalidate();
    }
  }

 private:
  template <typename Pred>
  void TakeSpan(Pred pred) {
    std::size_t n = 0;
    while (n < rest_.size() && pred(rest_[n])) {
      ++n;
    }
    value_ = rest_.substr(0, n);
    rest_.remove_prefix(n);
  }

  void Invalidate() { token_ = Token::kInvalid; }

  std::string_view rest_;
  std::string_view value_;
  Token token_ = Token::kInvalid;
  Suffix suffix_ = kSuffixInvalid;
};

// Compares two tokens of the same kind (apk-tools' token_cmp).
int CompareTokens(const Tokenizer& a, const Tokenizer& b) {
  switch (a.token()) {
    case Token::kDigit:
      // Gentoo rule: a component with a leading zero is a decimal fraction,
      // so "1.05" < "1.1" and "1.010" < "1.02"; compare it as a string.
      if (a.value().front() == '0' || b.value().front() == '0') {
        return Sign(a.value().compare(b.value()));
      }
      return CompareNumber(a.value(), b.value());
    case Token::kInitialDigit:
    case Token::kSuffixNo:
    case Token::kRevisionNo:
      return CompareNumber(a.value(), b.value());
    case Token::kLetter:
      return Sign(a.value().front() - b.value().front());
    case Token::kSuffix:
      return Sign(a.suffix() - b.suffix());
    default:
      return Sign(a.value().compare(b.value()));
  }
}

}  // namespace

const ApkComparator& ApkComparator::Instance() {
  static const auto& instance = *new ApkComparator();
  return instance;
}

bool ApkComparator::valid(std::string_view v) const {
  Tokenizer t(v);
  while (t.token() < Token::kEnd) {
    t.Next();
  }
  return t.token() == Token::kEnd;
}

int ApkComparator::compare(std::string_view a, std::string_view b) const {
  Tokenizer ta(a);
  Tokenizer tb(b);
  while (ta.token() == tb.token() && ta.token() < Token::kEnd) {
    if (const int c = CompareTokens(ta, tb); c != 0) {
      return c;
    }
    ta.Next();
    tb.Next();
  }
  if (ta.token() == tb.token()) {
    return 0;
  }
  // Equal so far and one goes on: it is newer, unless what follows is a
  // pre-release suffix, or a token kind ranked later (see Token).
  if (ta.token() == Token::kSuffix && ta.suffix() < kSuffixNone) {
    return -1;
  }
  if (tb.token() == Token::kSuffix && tb.suffix() < kSuffixNone) {
    return 1;
  }
  return ta.token() > tb.token() ? -1 : 1;
}

}  // namespace herald::version
