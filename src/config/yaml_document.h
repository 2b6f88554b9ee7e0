// Reading the configuration file's one YAML document.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>

namespace herald::config {

// The file's document: a null node when the file is empty or holds only
// null documents. Throws ConfigError when the YAML is malformed or a second
// document holds anything (it would otherwise be silently ignored).
YAML::Node LoadSingleDocument(std::string_view text);

// " (line L, column C)" for messages, 1-based; "" when yaml-cpp gave none.
std::string DescribePosition(const YAML::Mark& mark);

}  // namespace herald::config
