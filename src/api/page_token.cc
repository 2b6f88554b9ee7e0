#include "api/page_token.h"

#include "api/api_error.h"

namespace herald::api {

std::string PageTokens::Seal(const nlohmann::json& cursor) const {
  return fernet_.Encrypt(cursor.dump());
}

nlohmann::json PageTokens::Open(std::string_view token, std::string_view kind) const {
  auto plain = fernet_.Decrypt(token);
  if (!plain) throw BadRequest("invalid page token");
  auto cursor = nlohmann::json::parse(*plain, nullptr, /*allow_exceptions=*/false);
  // A token sealed for another listing (e.g. a vulnerability page token sent
  // to a notification) is as invalid as a forged one.
  if (!cursor.is_object() || cursor.value("k", "") != kind) throw BadRequest("invalid page token");
  return cursor;
}

}  // namespace herald::api
