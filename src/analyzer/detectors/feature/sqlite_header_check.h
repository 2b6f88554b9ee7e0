// A check of SQLite's file header, made before librpm sees an rpmdb.sqlite:
// librpm 4.18 leaks its SQLite connection (about 100 KB) each time it fails
// to open a database, so a file that cannot be a whole database is refused
// first. It catches garbage, empty and truncated files, not a well-formed
// database whose contents are damaged or whose tables are not rpm's.
#pragma once

#include <string>
#include <string_view>

namespace herald::analyzer {

// Empty when `file` can be a whole SQLite database: the magic string, a
// valid page size, whole pages, and at least as many as the header counts.
// Otherwise says what is wrong.
std::string SqliteHeaderProblem(std::string_view file);

}  // namespace herald::analyzer
