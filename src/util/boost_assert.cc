// Where BOOST_ASSERT goes in builds without NDEBUG: herald_core compiles
// with BOOST_ENABLE_ASSERT_DEBUG_HANDLER (release builds compile the checks
// out, as before). Every Boost assertion still aborts, except one that
// Boost itself removed as wrong.
#include <boost/version.hpp>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace {

// Beast 1.74's parse_chunk_header asserts `n >= 5` when it comes back to a
// final chunk, but a final chunk with no chunk before it can be back with 3
// or 4 bytes ("0\r\n", "\r") when the body arrives in pieces; the code after
// the assertion asks for more bytes, correctly. A client could abort a
// debug build with it (found by tests/fuzz/http_request_fuzz). Boost fixed
// the assertion in 1.86 (boostorg/beast#2861).
bool KnownWrong(std::string_view expr, std::string_view file) {
#if BOOST_VERSION < 108600
  return expr == "n >= 5" && file.ends_with("boost/beast/http/impl/basic_parser.ipp");
#else
  (void)expr;
  (void)file;
  return false;
#endif
}

[[noreturn]] void Fail(const char* expr, const char* msg, const char* function, const char* file,
                       long line) {
  std::fprintf(stderr, "%s:%ld: %s: Boost assertion `%s' failed%s%s\n", file, line, function, expr,
               msg ? ": " : "", msg ? msg : "");
  std::abort();
}

}  // namespace

namespace boost {

void assertion_failed(const char* expr, const char* function, const char* file, long line) {
  if (KnownWrong(expr, file)) return;
  Fail(expr, nullptr, function, file, line);
}

void assertion_failed_msg(const char* expr, const char* msg, const char* function, const char* file,
                          long line) {
  if (KnownWrong(expr, file)) return;
  Fail(expr, msg, function, file, line);
}

}  // namespace boost
