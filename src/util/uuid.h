#pragma once

#include <string>

namespace herald::util {

// A random (version 4) UUID in its canonical lowercase 8-4-4-4-12 form.
std::string NewUuid();

}  // namespace herald::util
