// CVSS v3.0 and v3.1 base scores (FIRST's specification, section 7.1), for
// feeds that give a vector but no score or severity of their own.
#pragma once

#include <optional>
#include <string_view>

namespace herald::updater {

// The base score, 0.0 to 10.0 in steps of 0.1, of a vector such as
// "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H". The "CVSS:3.x/" prefix may
// be left out, as some feeds do. Temporal and environmental metrics may
// follow but do not count. nullopt when the vector is not a well-formed
// v3 vector: another version, an unknown or repeated metric, a missing
// base metric.
std::optional<double> CvssV3BaseScore(std::string_view vector);

// The qualitative rating of a score, in Herald's severities: 0.1-3.9 Low,
// 4.0-6.9 Medium, 7.0-8.9 High, 9.0-10.0 Critical; Unknown otherwise
// (0.0 rates "None", which no Herald severity means).
std::string_view SeverityFromCvssScore(double score);

}  // namespace herald::updater
