// The one RAII layer over librpm. Nothing else in Herald includes an rpm
// header: the rpm detector asks this file for the package headers of a
// database and gets plain C++ values back.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace herald::analyzer {

// The tags of one installed package that the rpm detector uses.
struct RpmHeader {
  std::string name;
  std::optional<std::uint64_t> epoch;  // nullopt when the package has no Epoch tag
  std::string version;
  std::string release;
};

// One file of an rpm database directory, named as it is there.
struct RpmDatabaseFile {
  std::string_view name;  // "rpmdb.sqlite", "rpmdb.sqlite-wal", "Packages", ...
  std::string_view contents;
};

// librpm could not open or read the database; what() gives librpm's reason.
class RpmDatabaseError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Every package header of the database made of `files`, which hold one of
// rpm's formats: "rpmdb.sqlite" (sqlite, with its "-wal" and "-shm" when
// present), "Packages" (Berkeley DB) or "Packages.db" (ndb). Safe to call
// from any thread; calls run one at a time, as librpm's state is global.
// Throws RpmDatabaseError; std::system_error when the files cannot be copied
// to a temporary directory.
std::vector<RpmHeader> ReadRpmDatabase(std::span<const RpmDatabaseFile> files);

}  // namespace herald::analyzer
