#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analyzer/detectors/namespace/namespace_detector.h"
#include "analyzer/layer_files.h"

namespace herald::analyzer {
namespace {

// The release files below are copies of the files shipped in those releases
// (their official container images, at the point release named in each). A
// path that the image holds as a symlink (etc/os-release →
// ../usr/lib/os-release, CentOS's etc/redhat-release → centos-release) is
// listed as the layer reader leaves it: with its target's contents when the
// target is kept, and absent otherwise.

// --- Debian -----------------------------------------------------------------

constexpr char kDebian7OsRelease[] = R"--(PRETTY_NAME="Debian GNU/Linux 7 (wheezy)"
NAME="Debian GNU/Linux"
VERSION_ID="7"
VERSION="7 (wheezy)"
ID=debian
ANSI_COLOR="1;31"
HOME_URL="http://www.debian.org/"
SUPPORT_URL="http://www.debian.org/support/"
BUG_REPORT_URL="http://bugs.debian.org/"
)--";

constexpr char kDebian8OsRelease[] = R"--(PRETTY_NAME="Debian GNU/Linux 8 (jessie)"
NAME="Debian GNU/Linux"
VERSION_ID="8"
VERSION="8 (jessie)"
ID=debian
HOME_URL="http://www.debian.org/"
SUPPORT_URL="http://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
)--";

constexpr char kDebian9OsRelease[] = R"--(PRETTY_NAME="Debian GNU/Linux 9 (stretch)"
NAME="Debian GNU/Linux"
VERSION_ID="9"
VERSION="9 (stretch)"
VERSION_CODENAME=stretch
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
)--";

constexpr char kDebian10OsRelease[] = R"--(PRETTY_NAME="Debian GNU/Linux 10 (buster)"
NAME="Debian GNU/Linux"
VERSION_ID="10"
VERSION="10 (buster)"
VERSION_CODENAME=buster
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
)--";

constexpr char kDebian11OsRelease[] = R"--(PRETTY_NAME="Debian GNU/Linux 11 (bullseye)"
NAME="Debian GNU/Linux"
VERSION_ID="11"
VERSION="11 (bullseye)"
VERSION_CODENAME=bullseye
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
)--";

constexpr char kDebian12OsRelease[] = R"--(PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
)--";

// Unstable has no version number; the security tracker calls it "sid".
constexpr char kDebianSidOsRelease[] = R"--(PRETTY_NAME="Debian GNU/Linux trixie/sid"
NAME="Debian GNU/Linux"
VERSION_CODENAME=trixie
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
)--";

constexpr char kWheezySources[] = R"--(deb http://httpredir.debian.org/debian wheezy main
deb http://httpredir.debian.org/debian wheezy-updates main
deb http://security.debian.org wheezy/updates main
)--";

constexpr char kJessieSources[] = R"--(deb http://deb.debian.org/debian jessie main
deb http://deb.debian.org/debian jessie-updates main
deb http://security.debian.org jessie/updates main
)--";

constexpr char kStretchSources[] =
    R"--(# deb http://snapshot.debian.org/archive/debian/20210326T030000Z stretch main
deb http://deb.debian.org/debian stretch main
# deb http://snapshot.debian.org/archive/debian-security/20210326T030000Z stretch/updates main
deb http://security.debian.org/debian-security stretch/updates main
# deb http://snapshot.debian.org/archive/debian/20210326T030000Z stretch-updates main
deb http://deb.debian.org/debian stretch-updates main
)--";

constexpr char kBusterSources[] =
    R"--(# deb http://snapshot.debian.org/archive/debian/20240612T000000Z buster main
deb http://deb.debian.org/debian buster main
# deb http://snapshot.debian.org/archive/debian-security/20240612T000000Z buster/updates main
deb http://deb.debian.org/debian-security buster/updates main
# deb http://snapshot.debian.org/archive/debian/20240612T000000Z buster-updates main
deb http://deb.debian.org/debian buster-updates main
)--";

constexpr char kBullseyeSources[] =
    R"--(# deb http://snapshot.debian.org/archive/debian/20240612T000000Z bullseye main
deb http://deb.debian.org/debian bullseye main
# deb http://snapshot.debian.org/archive/debian-security/20240612T000000Z bullseye-security main
deb http://deb.debian.org/debian-security bullseye-security main
# deb http://snapshot.debian.org/archive/debian/20240612T000000Z bullseye-updates main
deb http://deb.debian.org/debian bullseye-updates main
)--";

constexpr char kSidSources[] = R"--(deb http://deb.debian.org/debian sid main
)--";

// --- Ubuntu -----------------------------------------------------------------

constexpr char kUbuntu1404OsRelease[] = R"--(NAME="Ubuntu"
VERSION="14.04.6 LTS, Trusty Tahr"
ID=ubuntu
ID_LIKE=debian
PRETTY_NAME="Ubuntu 14.04.6 LTS"
VERSION_ID="14.04"
HOME_URL="http://www.ubuntu.com/"
SUPPORT_URL="http://help.ubuntu.com/"
BUG_REPORT_URL="http://bugs.launchpad.net/ubuntu/"
)--";

constexpr char kUbuntu1604OsRelease[] = R"--(NAME="Ubuntu"
VERSION="16.04.7 LTS (Xenial Xerus)"
ID=ubuntu
ID_LIKE=debian
PRETTY_NAME="Ubuntu 16.04.7 LTS"
VERSION_ID="16.04"
HOME_URL="http://www.ubuntu.com/"
SUPPORT_URL="http://help.ubuntu.com/"
BUG_REPORT_URL="http://bugs.launchpad.net/ubuntu/"
VERSION_CODENAME=xenial
UBUNTU_CODENAME=xenial
)--";

constexpr char kUbuntu1804OsRelease[] = R"--(NAME="Ubuntu"
VERSION="18.04.6 LTS (Bionic Beaver)"
ID=ubuntu
ID_LIKE=debian
PRETTY_NAME="Ubuntu 18.04.6 LTS"
VERSION_ID="18.04"
HOME_URL="https://www.ubuntu.com/"
SUPPORT_URL="https://help.ubuntu.com/"
BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
VERSION_CODENAME=bionic
UBUNTU_CODENAME=bionic
)--";

constexpr char kUbuntu2004OsRelease[] = R"--(NAME="Ubuntu"
VERSION="20.04.6 LTS (Focal Fossa)"
ID=ubuntu
ID_LIKE=debian
PRETTY_NAME="Ubuntu 20.04.6 LTS"
VERSION_ID="20.04"
HOME_URL="https://www.ubuntu.com/"
SUPPORT_URL="https://help.ubuntu.com/"
BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
VERSION_CODENAME=focal
UBUNTU_CODENAME=focal
)--";

constexpr char kUbuntu2204OsRelease[] = R"--(PRETTY_NAME="Ubuntu 22.04.4 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
VERSION="22.04.4 LTS (Jammy Jellyfish)"
VERSION_CODENAME=jammy
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
SUPPORT_URL="https://help.ubuntu.com/"
BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
UBUNTU_CODENAME=jammy
)--";

constexpr char kUbuntu2404OsRelease[] = R"--(PRETTY_NAME="Ubuntu 24.04 LTS"
NAME="Ubuntu"
VERSION_ID="24.04"
VERSION="24.04 LTS (Noble Numbat)"
VERSION_CODENAME=noble
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
SUPPORT_URL="https://help.ubuntu.com/"
BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
UBUNTU_CODENAME=noble
LOGO=ubuntu-logo
)--";

constexpr char kUbuntu1404LsbRelease[] = R"--(DISTRIB_ID=Ubuntu
DISTRIB_RELEASE=14.04
DISTRIB_CODENAME=trusty
DISTRIB_DESCRIPTION="Ubuntu 14.04.6 LTS"
)--";

constexpr char kUbuntu1604LsbRelease[] = R"--(DISTRIB_ID=Ubuntu
DISTRIB_RELEASE=16.04
DISTRIB_CODENAME=xenial
DISTRIB_DESCRIPTION="Ubuntu 16.04.7 LTS"
)--";

constexpr char kUbuntu1804LsbRelease[] = R"--(DISTRIB_ID=Ubuntu
DISTRIB_RELEASE=18.04
DISTRIB_CODENAME=bionic
DISTRIB_DESCRIPTION="Ubuntu 18.04.6 LTS"
)--";

constexpr char kUbuntu2004LsbRelease[] = R"--(DISTRIB_ID=Ubuntu
DISTRIB_RELEASE=20.04
DISTRIB_CODENAME=focal
DISTRIB_DESCRIPTION="Ubuntu 20.04.6 LTS"
)--";

constexpr char kUbuntu2204LsbRelease[] = R"--(DISTRIB_ID=Ubuntu
DISTRIB_RELEASE=22.04
DISTRIB_CODENAME=jammy
DISTRIB_DESCRIPTION="Ubuntu 22.04.4 LTS"
)--";

constexpr char kUbuntu2404LsbRelease[] = R"--(DISTRIB_ID=Ubuntu
DISTRIB_RELEASE=24.04
DISTRIB_CODENAME=noble
DISTRIB_DESCRIPTION="Ubuntu 24.04 LTS"
)--";

constexpr char kTrustySources[] =
    R"--(# See http://help.ubuntu.com/community/UpgradeNotes for how to upgrade to
# newer versions of the distribution.
deb http://archive.ubuntu.com/ubuntu/ trusty main restricted
deb-src http://archive.ubuntu.com/ubuntu/ trusty main restricted

## Major bug fix updates produced after the final release of the
## distribution.
deb http://archive.ubuntu.com/ubuntu/ trusty-updates main restricted
deb-src http://archive.ubuntu.com/ubuntu/ trusty-updates main restricted

## N.B. software from this repository is ENTIRELY UNSUPPORTED by the Ubuntu
## team. Also, please note that software in universe WILL NOT receive any
## review or updates from the Ubuntu security team.
deb http://archive.ubuntu.com/ubuntu/ trusty universe
deb-src http://archive.ubuntu.com/ubuntu/ trusty universe
deb http://archive.ubuntu.com/ubuntu/ trusty-updates universe
deb-src http://archive.ubuntu.com/ubuntu/ trusty-updates universe

## N.B. software from this repository may not have been tested as
## extensively as that contained in the main release, although it includes
## newer versions of some applications which may provide useful features.
## Also, please note that software in backports WILL NOT receive any review
## or updates from the Ubuntu security team.
# deb http://archive.ubuntu.com/ubuntu/ trusty-backports main restricted
# deb-src http://archive.ubuntu.com/ubuntu/ trusty-backports main restricted

deb http://archive.ubuntu.com/ubuntu/ trusty-security main restricted
deb-src http://archive.ubuntu.com/ubuntu/ trusty-security main restricted
deb http://archive.ubuntu.com/ubuntu/ trusty-security universe
deb-src http://archive.ubuntu.com/ubuntu/ trusty-security universe
# deb http://archive.ubuntu.com/ubuntu/ trusty-security multiverse
# deb-src http://archive.ubuntu.com/ubuntu/ trusty-security multiverse
)--";

constexpr char kNobleSources[] =
    R"--(# Ubuntu sources have moved to the /etc/apt/sources.list.d/ubuntu.sources
# file, which uses the deb822 format. Use deb822-formatted .sources files
# to manage package sources in the /etc/apt/sources.list.d/ directory.
# See the sources.list(5) manual page for details.
)--";

// --- The RHEL family --------------------------------------------------------

constexpr char kCentos6Release[] = "CentOS release 6.10 (Final)\n";

constexpr char kCentos7Release[] = "CentOS Linux release 7.9.2009 (Core)\n";

constexpr char kCentos7OsRelease[] = R"--(NAME="CentOS Linux"
VERSION="7 (Core)"
ID="centos"
ID_LIKE="rhel fedora"
VERSION_ID="7"
PRETTY_NAME="CentOS Linux 7 (Core)"
ANSI_COLOR="0;31"
CPE_NAME="cpe:/o:centos:centos:7"
HOME_URL="https://www.centos.org/"
BUG_REPORT_URL="https://bugs.centos.org/"

CENTOS_MANTISBT_PROJECT="CentOS-7"
CENTOS_MANTISBT_PROJECT_VERSION="7"
REDHAT_SUPPORT_PRODUCT="centos"
REDHAT_SUPPORT_PRODUCT_VERSION="7"

)--";

constexpr char kCentos8Release[] = "CentOS Linux release 8.4.2105\n";

constexpr char kCentos8OsRelease[] = R"--(NAME="CentOS Linux"
VERSION="8"
ID="centos"
ID_LIKE="rhel fedora"
VERSION_ID="8"
PLATFORM_ID="platform:el8"
PRETTY_NAME="CentOS Linux 8"
ANSI_COLOR="0;31"
CPE_NAME="cpe:/o:centos:centos:8"
HOME_URL="https://centos.org/"
BUG_REPORT_URL="https://bugs.centos.org/"
CENTOS_MANTISBT_PROJECT="CentOS-8"
CENTOS_MANTISBT_PROJECT_VERSION="8"
)--";

constexpr char kRhel7Release[] = "Red Hat Enterprise Linux Server release 7.9 (Maipo)\n";

constexpr char kRhel7OsRelease[] = R"--(NAME="Red Hat Enterprise Linux Server"
VERSION="7.9 (Maipo)"
ID="rhel"
ID_LIKE="fedora"
VARIANT="Server"
VARIANT_ID="server"
VERSION_ID="7.9"
PRETTY_NAME="Red Hat Enterprise Linux Server 7.9 (Maipo)"
ANSI_COLOR="0;31"
CPE_NAME="cpe:/o:redhat:enterprise_linux:7.9:GA:server"
HOME_URL="https://www.redhat.com/"
BUG_REPORT_URL="https://bugzilla.redhat.com/"

REDHAT_BUGZILLA_PRODUCT="Red Hat Enterprise Linux 7"
REDHAT_BUGZILLA_PRODUCT_VERSION=7.9
REDHAT_SUPPORT_PRODUCT="Red Hat Enterprise Linux"
REDHAT_SUPPORT_PRODUCT_VERSION="7.9"
)--";

constexpr char kRhel8Release[] = "Red Hat Enterprise Linux release 8.9 (Ootpa)\n";

constexpr char kRhel8OsRelease[] = R"--(NAME="Red Hat Enterprise Linux"
VERSION="8.9 (Ootpa)"
ID="rhel"
ID_LIKE="fedora"
VERSION_ID="8.9"
PLATFORM_ID="platform:el8"
PRETTY_NAME="Red Hat Enterprise Linux 8.9 (Ootpa)"
ANSI_COLOR="0;31"
LOGO="fedora-logo-icon"
CPE_NAME="cpe:/o:redhat:enterprise_linux:8::baseos"
HOME_URL="https://www.redhat.com/"
DOCUMENTATION_URL="https://access.redhat.com/documentation/en-us/red_hat_enterprise_linux/8"
BUG_REPORT_URL="https://bugzilla.redhat.com/"

REDHAT_BUGZILLA_PRODUCT="Red Hat Enterprise Linux 8"
REDHAT_BUGZILLA_PRODUCT_VERSION=8.9
REDHAT_SUPPORT_PRODUCT="Red Hat Enterprise Linux"
REDHAT_SUPPORT_PRODUCT_VERSION="8.9"
)--";

constexpr char kRhel9Release[] = "Red Hat Enterprise Linux release 9.3 (Plow)\n";

constexpr char kRhel9OsRelease[] = R"--(NAME="Red Hat Enterprise Linux"
VERSION="9.3 (Plow)"
ID="rhel"
ID_LIKE="fedora"
VERSION_ID="9.3"
PLATFORM_ID="platform:el9"
PRETTY_NAME="Red Hat Enterprise Linux 9.3 (Plow)"
ANSI_COLOR="0;31"
LOGO="fedora-logo-icon"
CPE_NAME="cpe:/o:redhat:enterprise_linux:9::baseos"
HOME_URL="https://www.redhat.com/"
DOCUMENTATION_URL="https://access.redhat.com/documentation/en-us/red_hat_enterprise_linux/9"
BUG_REPORT_URL="https://bugzilla.redhat.com/"

REDHAT_BUGZILLA_PRODUCT="Red Hat Enterprise Linux 9"
REDHAT_BUGZILLA_PRODUCT_VERSION=9.3
REDHAT_SUPPORT_PRODUCT="Red Hat Enterprise Linux"
REDHAT_SUPPORT_PRODUCT_VERSION="9.3"
)--";

constexpr char kFedora38OsRelease[] = R"--(NAME="Fedora Linux"
VERSION="38 (Container Image)"
ID=fedora
VERSION_ID=38
VERSION_CODENAME=""
PLATFORM_ID="platform:f38"
PRETTY_NAME="Fedora Linux 38 (Container Image)"
ANSI_COLOR="0;38;2;60;110;180"
LOGO=fedora-logo-icon
CPE_NAME="cpe:/o:fedoraproject:fedora:38"
DEFAULT_HOSTNAME="fedora"
HOME_URL="https://fedoraproject.org/"
DOCUMENTATION_URL="https://docs.fedoraproject.org/en-US/fedora/f38/system-administrators-guide/"
SUPPORT_URL="https://ask.fedoraproject.org/"
BUG_REPORT_URL="https://bugzilla.redhat.com/"
REDHAT_BUGZILLA_PRODUCT="Fedora"
REDHAT_BUGZILLA_PRODUCT_VERSION=38
REDHAT_SUPPORT_PRODUCT="Fedora"
REDHAT_SUPPORT_PRODUCT_VERSION=38
SUPPORT_END=2024-05-14
VARIANT="Container Image"
VARIANT_ID=container
)--";

constexpr char kOracle8Release[] = "Oracle Linux Server release 8.8\n";

// Oracle Linux keeps Red Hat's wording in redhat-release, for software that
// checks it.
constexpr char kOracle8RedhatRelease[] = "Red Hat Enterprise Linux release 8.8 (Ootpa)\n";

constexpr char kOracle8OsRelease[] = R"--(NAME="Oracle Linux Server"
VERSION="8.8"
ID="ol"
ID_LIKE="fedora"
VARIANT="Server"
VARIANT_ID="server"
VERSION_ID="8.8"
PLATFORM_ID="platform:el8"
PRETTY_NAME="Oracle Linux Server 8.8"
ANSI_COLOR="0;31"
CPE_NAME="cpe:/o:oracle:linux:8:8:server"
HOME_URL="https://linux.oracle.com/"
BUG_REPORT_URL="https://github.com/oracle/oracle-linux"

ORACLE_BUGZILLA_PRODUCT="Oracle Linux 8"
ORACLE_BUGZILLA_PRODUCT_VERSION=8.8
ORACLE_SUPPORT_PRODUCT="Oracle Linux"
ORACLE_SUPPORT_PRODUCT_VERSION=8.8
)--";

constexpr char kAmazon2Release[] = "Amazon Linux release 2 (Karoo)\n";

constexpr char kAmazon2OsRelease[] = R"--(NAME="Amazon Linux"
VERSION="2"
ID="amzn"
ID_LIKE="centos rhel fedora"
VERSION_ID="2"
PRETTY_NAME="Amazon Linux 2"
ANSI_COLOR="0;33"
CPE_NAME="cpe:2.3:o:amazon:amazon_linux:2"
HOME_URL="https://amazonlinux.com/"
SUPPORT_END="2025-06-30"
)--";

// --- Alpine -----------------------------------------------------------------

constexpr char kAlpine34OsRelease[] = R"--(NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.4.6
PRETTY_NAME="Alpine Linux v3.4"
HOME_URL="http://alpinelinux.org"
BUG_REPORT_URL="http://bugs.alpinelinux.org"
)--";

constexpr char kAlpine312OsRelease[] = R"--(NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.12.12
PRETTY_NAME="Alpine Linux v3.12"
HOME_URL="https://alpinelinux.org/"
BUG_REPORT_URL="https://bugs.alpinelinux.org/"
)--";

constexpr char kAlpine318OsRelease[] = R"--(NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.18.4
PRETTY_NAME="Alpine Linux v3.18"
HOME_URL="https://alpinelinux.org/"
BUG_REPORT_URL="https://gitlab.alpinelinux.org/alpine/aports/-/issues"
)--";

constexpr char kAlpine320OsRelease[] = R"--(NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.20.3
PRETTY_NAME="Alpine Linux v3.20"
HOME_URL="https://alpinelinux.org/"
BUG_REPORT_URL="https://gitlab.alpinelinux.org/alpine/aports/-/issues"
)--";

constexpr char kAlpineEdgeOsRelease[] = R"--(NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.19_alpha20230901
PRETTY_NAME="Alpine Linux edge"
HOME_URL="https://alpinelinux.org/"
BUG_REPORT_URL="https://gitlab.alpinelinux.org/alpine/aports/-/issues"
)--";

// --- Helpers ----------------------------------------------------------------

using Files = std::vector<std::pair<std::string, std::string>>;
using Namespace = std::optional<std::string>;

LayerFiles Layer(const Files& files) {
  LayerFiles layer;
  for (const auto& [path, contents] : files) layer.Add(path, contents);
  return layer;
}

const NamespaceDetector& Detector(std::string_view name) {
  const auto& all = NamespaceDetectors();
  auto it = std::find_if(all.begin(), all.end(), [&](const auto& d) { return d.name == name; });
  if (it == all.end()) throw std::logic_error("no namespace detector " + std::string(name));
  return *it;
}

Namespace Detect(std::string_view detector, const Files& files) {
  return Detector(detector).detect(Layer(files));
}

// --- Registry ---------------------------------------------------------------

TEST(NamespaceDetectorsTest, AskedInPriorityOrder) {
  std::vector<std::string> names;
  for (const auto& detector : NamespaceDetectors()) names.push_back(detector.name);
  EXPECT_EQ(names, (std::vector<std::string>{"os-release", "lsb-release", "redhat-release",
                                             "alpine-release", "apt-sources"}));
}

TEST(NamespaceDetectorsTest, EachNamesTheFilesItReads) {
  using Paths = std::vector<std::string>;
  EXPECT_EQ(Detector("os-release").paths,
            (Paths{"etc/os-release", "usr/lib/os-release", "etc/oracle-release",
                   "etc/redhat-release", "usr/lib/centos-release"}));
  EXPECT_EQ(Detector("lsb-release").paths, Paths{"etc/lsb-release"});
  EXPECT_EQ(Detector("redhat-release").paths, (Paths{"etc/oracle-release", "etc/centos-release",
                                                     "etc/redhat-release", "etc/system-release"}));
  EXPECT_EQ(Detector("alpine-release").paths, Paths{"etc/alpine-release"});
  EXPECT_EQ(Detector("apt-sources").paths, Paths{"etc/apt/sources.list"});
}

TEST(NamespaceDetectorsTest, EmptyLayerNamesNothing) {
  EXPECT_EQ(DetectNamespace(LayerFiles()), std::nullopt);
  for (const auto& detector : NamespaceDetectors()) {
    EXPECT_EQ(detector.detect(LayerFiles()), std::nullopt) << detector.name;
  }
}

// --- Whole images through DetectNamespace() ---------------------------------

struct Image {
  std::string name;
  Files files;
  Namespace want;
};

std::vector<Image> Images() {
  return {
      {"Debian7",
       {{"etc/os-release", kDebian7OsRelease}, {"etc/apt/sources.list", kWheezySources}},
       "debian:7"},
      {"Debian8",
       {{"etc/os-release", kDebian8OsRelease}, {"etc/apt/sources.list", kJessieSources}},
       "debian:8"},
      {"Debian9",
       {{"etc/os-release", kDebian9OsRelease},
        {"usr/lib/os-release", kDebian9OsRelease},
        {"etc/apt/sources.list", kStretchSources}},
       "debian:9"},
      {"Debian10",
       {{"etc/os-release", kDebian10OsRelease},
        {"usr/lib/os-release", kDebian10OsRelease},
        {"etc/apt/sources.list", kBusterSources}},
       "debian:10"},
      {"Debian11",
       {{"etc/os-release", kDebian11OsRelease},
        {"usr/lib/os-release", kDebian11OsRelease},
        {"etc/apt/sources.list", kBullseyeSources}},
       "debian:11"},
      // Debian 12 lists its sources in sources.list.d/debian.sources.
      {"Debian12",
       {{"etc/os-release", kDebian12OsRelease}, {"usr/lib/os-release", kDebian12OsRelease}},
       "debian:12"},
      {"DebianSid",
       {{"etc/os-release", kDebianSidOsRelease},
        {"usr/lib/os-release", kDebianSidOsRelease},
        {"etc/apt/sources.list", kSidSources}},
       std::nullopt},
      {"Ubuntu1404",
       {{"etc/os-release", kUbuntu1404OsRelease},
        {"etc/lsb-release", kUbuntu1404LsbRelease},
        {"etc/apt/sources.list", kTrustySources}},
       "ubuntu:14.04"},
      {"Ubuntu1604",
       {{"etc/os-release", kUbuntu1604OsRelease},
        {"usr/lib/os-release", kUbuntu1604OsRelease},
        {"etc/lsb-release", kUbuntu1604LsbRelease}},
       "ubuntu:16.04"},
      {"Ubuntu1804",
       {{"etc/os-release", kUbuntu1804OsRelease},
        {"usr/lib/os-release", kUbuntu1804OsRelease},
        {"etc/lsb-release", kUbuntu1804LsbRelease}},
       "ubuntu:18.04"},
      {"Ubuntu2004",
       {{"etc/os-release", kUbuntu2004OsRelease},
        {"usr/lib/os-release", kUbuntu2004OsRelease},
        {"etc/lsb-release", kUbuntu2004LsbRelease}},
       "ubuntu:20.04"},
      {"Ubuntu2204",
       {{"etc/os-release", kUbuntu2204OsRelease},
        {"usr/lib/os-release", kUbuntu2204OsRelease},
        {"etc/lsb-release", kUbuntu2204LsbRelease}},
       "ubuntu:22.04"},
      {"Ubuntu2404",
       {{"etc/os-release", kUbuntu2404OsRelease},
        {"usr/lib/os-release", kUbuntu2404OsRelease},
        {"etc/lsb-release", kUbuntu2404LsbRelease},
        {"etc/apt/sources.list", kNobleSources}},
       "ubuntu:24.04"},
      // redhat-release and system-release are symlinks to centos-release.
      {"Centos6",
       {{"etc/centos-release", kCentos6Release},
        {"etc/redhat-release", kCentos6Release},
        {"etc/system-release", kCentos6Release}},
       "centos:6"},
      {"Centos7",
       {{"etc/os-release", kCentos7OsRelease},
        {"etc/centos-release", kCentos7Release},
        {"etc/redhat-release", kCentos7Release},
        {"etc/system-release", kCentos7Release}},
       "centos:7"},
      {"Centos8",
       {{"etc/os-release", kCentos8OsRelease},
        {"usr/lib/os-release", kCentos8OsRelease},
        {"etc/centos-release", kCentos8Release},
        {"etc/redhat-release", kCentos8Release},
        {"etc/system-release", kCentos8Release}},
       "centos:8"},
      // os-release says "rhel:7.9"; the feeds say "centos:7".
      {"Rhel7",
       {{"etc/os-release", kRhel7OsRelease},
        {"etc/redhat-release", kRhel7Release},
        {"etc/system-release", kRhel7Release}},
       "centos:7"},
      {"Rhel8",
       {{"etc/os-release", kRhel8OsRelease},
        {"usr/lib/os-release", kRhel8OsRelease},
        {"etc/redhat-release", kRhel8Release},
        {"etc/system-release", kRhel8Release}},
       "centos:8"},
      {"Rhel9",
       {{"etc/os-release", kRhel9OsRelease},
        {"usr/lib/os-release", kRhel9OsRelease},
        {"etc/redhat-release", kRhel9Release},
        {"etc/system-release", kRhel9Release}},
       "centos:9"},
      // redhat-release and system-release link to fedora-release, which no
      // detector keeps, so the layer reader drops them.
      {"Fedora38",
       {{"etc/os-release", kFedora38OsRelease}, {"usr/lib/os-release", kFedora38OsRelease}},
       "fedora:38"},
      // os-release says "ol:8.8"; system-release links to oracle-release.
      {"Oracle8",
       {{"etc/os-release", kOracle8OsRelease},
        {"usr/lib/os-release", kOracle8OsRelease},
        {"etc/oracle-release", kOracle8Release},
        {"etc/redhat-release", kOracle8RedhatRelease},
        {"etc/system-release", kOracle8Release}},
       "oracle:8"},
      {"Amazon2",
       {{"etc/os-release", kAmazon2OsRelease},
        {"usr/lib/os-release", kAmazon2OsRelease},
        {"etc/system-release", kAmazon2Release}},
       "amzn:2"},
      {"Alpine34",
       {{"etc/os-release", kAlpine34OsRelease}, {"etc/alpine-release", "3.4.6\n"}},
       "alpine:v3.4"},
      {"Alpine312",
       {{"etc/os-release", kAlpine312OsRelease}, {"etc/alpine-release", "3.12.12\n"}},
       "alpine:v3.12"},
      {"Alpine318",
       {{"etc/os-release", kAlpine318OsRelease},
        {"usr/lib/os-release", kAlpine318OsRelease},
        {"etc/alpine-release", "3.18.4\n"}},
       "alpine:v3.18"},
      {"Alpine320",
       {{"etc/os-release", kAlpine320OsRelease},
        {"usr/lib/os-release", kAlpine320OsRelease},
        {"etc/alpine-release", "3.20.3\n"}},
       "alpine:v3.20"},
      {"AlpineEdge",
       {{"etc/os-release", kAlpineEdgeOsRelease},
        {"usr/lib/os-release", kAlpineEdgeOsRelease},
        {"etc/alpine-release", "3.19_alpha20230901\n"}},
       "alpine:v3.19"},
      // Layers above a base image: only what the layer itself changed.
      {"OnlyJessieSources", {{"etc/apt/sources.list", kJessieSources}}, "debian:8"},
      {"OnlyTrustySources", {{"etc/apt/sources.list", kTrustySources}}, "ubuntu:14.04"},
      {"OnlyNobleSources", {{"etc/apt/sources.list", kNobleSources}}, std::nullopt},
      {"OnlyAlpineRelease", {{"etc/alpine-release", "3.18.4\n"}}, "alpine:v3.18"},
      {"OnlyLsbRelease", {{"etc/lsb-release", kUbuntu1604LsbRelease}}, "ubuntu:16.04"},
  };
}

class ImageTest : public testing::TestWithParam<Image> {};

TEST_P(ImageTest, DetectNamespace) {
  EXPECT_EQ(DetectNamespace(Layer(GetParam().files)), GetParam().want);
}

// The layer reader keeps only the files a detector lists; a detector must
// answer the same from those alone.
TEST_P(ImageTest, EachDetectorNeedsOnlyItsPaths) {
  LayerFiles all = Layer(GetParam().files);
  for (const auto& detector : NamespaceDetectors()) {
    Files kept;
    for (const auto& [path, contents] : GetParam().files) {
      if (std::find(detector.paths.begin(), detector.paths.end(), path) != detector.paths.end()) {
        kept.emplace_back(path, contents);
      }
    }
    EXPECT_EQ(detector.detect(Layer(kept)), detector.detect(all)) << detector.name;
  }
}

INSTANTIATE_TEST_SUITE_P(Shipped, ImageTest, testing::ValuesIn(Images()),
                         [](const testing::TestParamInfo<Image>& info) { return info.param.name; });

// --- Priority ---------------------------------------------------------------

TEST(DetectNamespaceTest, OsReleaseBeforeLsbRelease) {
  // An upgraded layer whose lsb-release was left behind.
  EXPECT_EQ(DetectNamespace(Layer({{"etc/os-release", kUbuntu2204OsRelease},
                                   {"etc/lsb-release", kUbuntu2004LsbRelease}})),
            "ubuntu:22.04");
}

TEST(DetectNamespaceTest, LsbReleaseBeforeRedhatRelease) {
  EXPECT_EQ(DetectNamespace(Layer({{"etc/lsb-release", kUbuntu1804LsbRelease},
                                   {"etc/redhat-release", kRhel8Release}})),
            "ubuntu:18.04");
}

TEST(DetectNamespaceTest, RedhatReleaseBeforeOsReleaseOfTheRhelFamily) {
  EXPECT_EQ(Detect("os-release", {{"etc/os-release", kRhel8OsRelease}}), "rhel:8.9");
  EXPECT_EQ(DetectNamespace(Layer(
                {{"etc/os-release", kRhel8OsRelease}, {"etc/redhat-release", kRhel8Release}})),
            "centos:8");
}

TEST(DetectNamespaceTest, RedhatReleaseBeforeAlpineRelease) {
  EXPECT_EQ(DetectNamespace(Layer(
                {{"etc/alpine-release", "3.18.4\n"}, {"etc/centos-release", kCentos7Release}})),
            "centos:7");
}

TEST(DetectNamespaceTest, AlpineReleaseBeforeAptSources) {
  EXPECT_EQ(DetectNamespace(Layer(
                {{"etc/apt/sources.list", kJessieSources}, {"etc/alpine-release", "3.12.12\n"}})),
            "alpine:v3.12");
}

TEST(DetectNamespaceTest, LaterDetectorAnswersWhenEarlierNamesNothing) {
  EXPECT_EQ(DetectNamespace(Layer({{"etc/os-release", kDebianSidOsRelease},
                                   {"etc/apt/sources.list", kStretchSources}})),
            "debian:9");
}

// --- os-release -------------------------------------------------------------

struct Case {
  const char* contents;
  Namespace want;
};

TEST(OsReleaseDetectorTest, ShippedFiles) {
  const Case cases[] = {
      {kDebian7OsRelease, "debian:7"},        {kDebian8OsRelease, "debian:8"},
      {kDebian9OsRelease, "debian:9"},        {kDebian10OsRelease, "debian:10"},
      {kDebian11OsRelease, "debian:11"},      {kDebian12OsRelease, "debian:12"},
      {kDebianSidOsRelease, std::nullopt},    {kUbuntu1404OsRelease, "ubuntu:14.04"},
      {kUbuntu1604OsRelease, "ubuntu:16.04"}, {kUbuntu1804OsRelease, "ubuntu:18.04"},
      {kUbuntu2004OsRelease, "ubuntu:20.04"}, {kUbuntu2204OsRelease, "ubuntu:22.04"},
      {kUbuntu2404OsRelease, "ubuntu:24.04"}, {kCentos7OsRelease, "centos:7"},
      {kCentos8OsRelease, "centos:8"},        {kFedora38OsRelease, "fedora:38"},
      {kAmazon2OsRelease, "amzn:2"},          {kAlpine34OsRelease, "alpine:v3.4"},
      {kAlpine312OsRelease, "alpine:v3.12"},  {kAlpine318OsRelease, "alpine:v3.18"},
      {kAlpine320OsRelease, "alpine:v3.20"},  {kAlpineEdgeOsRelease, "alpine:v3.19"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.contents);
    EXPECT_EQ(Detect("os-release", {{"etc/os-release", c.contents}}), c.want);
    EXPECT_EQ(Detect("os-release", {{"usr/lib/os-release", c.contents}}), c.want);
  }
}

TEST(OsReleaseDetectorTest, LeavesTheRhelFamilyToRedhatRelease) {
  for (const char* path : {"etc/oracle-release", "etc/redhat-release", "usr/lib/centos-release"}) {
    SCOPED_TRACE(path);
    EXPECT_EQ(Detect("os-release", {{"etc/os-release", kCentos7OsRelease}, {path, ""}}),
              std::nullopt);
  }
  EXPECT_EQ(Detect("os-release", {{"etc/os-release", kCentos7OsRelease},
                                  {"etc/centos-release", kCentos7Release}}),
            "centos:7");
  EXPECT_EQ(Detect("redhat-release", {{"etc/os-release", kCentos7OsRelease},
                                      {"etc/centos-release", kCentos7Release},
                                      {"etc/redhat-release", kCentos7Release},
                                      {"etc/system-release", kCentos7Release}}),
            "centos:7");
}

TEST(OsReleaseDetectorTest, EtcBeforeUsrLib) {
  EXPECT_EQ(Detect("os-release", {{"etc/os-release", kDebian12OsRelease},
                                  {"usr/lib/os-release", kDebian11OsRelease}}),
            "debian:12");
  // An etc/os-release that names nothing does not hide the vendor's copy.
  EXPECT_EQ(
      Detect("os-release", {{"etc/os-release", ""}, {"usr/lib/os-release", kDebian11OsRelease}}),
      "debian:11");
}

TEST(OsReleaseDetectorTest, Syntax) {
  const Case cases[] = {
      {"ID=debian\nVERSION_ID=8\n", "debian:8"},
      {"ID='debian'\nVERSION_ID='8'\n", "debian:8"},
      {"ID=\"Debian\"\nVERSION_ID=\"8\"", "debian:8"},          // lowercased, no final newline
      {"ID=debian\r\nVERSION_ID=\"8\"\r\n", "debian:8"},        // CRLF
      {"ID=ubuntu\nVERSION_ID=1\nVERSION_ID=2\n", "ubuntu:2"},  // the last one counts
      {"ID_LIKE=debian\nVERSION_ID=8\n", std::nullopt},
      {"ID=debian\nVERSION_ID=\n", std::nullopt},
      {"ID=debian\nVERSION_ID=\"\"\n", std::nullopt},
      {"ID=\nVERSION_ID=8\n", std::nullopt},
      {"ID=debian\n", std::nullopt},
      {"VERSION_ID=8\n", std::nullopt},
      {"#ID=debian\nVERSION_ID=8\n", std::nullopt},
      // Nothing that could not be part of a namespace name.
      {"ID=\"deb ian\"\nVERSION_ID=8\n", std::nullopt},
      {"ID=debian:8\nVERSION_ID=8\n", std::nullopt},
      {"ID=debian\nVERSION_ID=8/../9\n", std::nullopt},
      {"ID=debian\nVERSION_ID=\"8\" # comment\n", std::nullopt},
      {"ID=debian\nVERSION_ID=\"8\n", std::nullopt},
      {"ID=d\xc3\xa9\x62ian\nVERSION_ID=8\n", std::nullopt},
      {"ID=alpine\nVERSION_ID=edge\n", std::nullopt},
      {"ID=alpine\nVERSION_ID=3\n", std::nullopt},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.contents);
    EXPECT_EQ(Detect("os-release", {{"etc/os-release", c.contents}}), c.want);
  }
}

// --- lsb-release ------------------------------------------------------------

TEST(LsbReleaseDetectorTest, ShippedFiles) {
  const Case cases[] = {
      {kUbuntu1404LsbRelease, "ubuntu:14.04"}, {kUbuntu1604LsbRelease, "ubuntu:16.04"},
      {kUbuntu1804LsbRelease, "ubuntu:18.04"}, {kUbuntu2004LsbRelease, "ubuntu:20.04"},
      {kUbuntu2204LsbRelease, "ubuntu:22.04"}, {kUbuntu2404LsbRelease, "ubuntu:24.04"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.contents);
    EXPECT_EQ(Detect("lsb-release", {{"etc/lsb-release", c.contents}}), c.want);
  }
}

TEST(LsbReleaseDetectorTest, Syntax) {
  const Case cases[] = {
      {"DISTRIB_ID=\"Ubuntu\"\nDISTRIB_RELEASE=\"16.04\"\n", "ubuntu:16.04"},
      {"DISTRIB_ID=Ubuntu\nDISTRIB_CODENAME=xenial\n", std::nullopt},
      {"DISTRIB_RELEASE=16.04\n", std::nullopt},
      {"DISTRIB_ID=Ubuntu Linux\nDISTRIB_RELEASE=16.04\n", std::nullopt},
      {"ID=ubuntu\nVERSION_ID=16.04\n", std::nullopt},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.contents);
    EXPECT_EQ(Detect("lsb-release", {{"etc/lsb-release", c.contents}}), c.want);
  }
  EXPECT_EQ(Detect("lsb-release", {{"etc/os-release", kUbuntu1604OsRelease}}), std::nullopt);
}

// --- redhat-release ---------------------------------------------------------

TEST(RedhatReleaseDetectorTest, FirstLines) {
  const Case cases[] = {
      {kCentos6Release, "centos:6"},
      {kCentos7Release, "centos:7"},
      {kCentos8Release, "centos:8"},
      {"CentOS Stream release 8\n", "centos:8"},
      {"CentOS Stream release 9\n", "centos:9"},
      {"CentOS release 5.11 (Final)\n", "centos:5"},
      {kRhel7Release, "centos:7"},
      {kRhel8Release, "centos:8"},
      {kRhel9Release, "centos:9"},
      {"Red Hat Enterprise Linux Workstation release 7.9 (Maipo)\n", "centos:7"},
      {"Red Hat Enterprise Linux Client release 6.10 (Santiago)\n", "centos:6"},
      {"Red Hat Enterprise Linux Server release 6.10 (Santiago)\n", "centos:6"},
      {"Fedora release 38 (Thirty Eight)\n", "fedora:38"},
      {kOracle8Release, "oracle:8"},
      {"Oracle Linux Server release 7.9\n", "oracle:7"},
      {kAmazon2Release, "amzn:2"},
      {"Amazon Linux release 2023 (Amazon Linux)\n", "amzn:2023"},
      {"CentOS Linux release 7.9.2009 (Core)", "centos:7"},        // no newline
      {"CentOS Linux release 7.9.2009 (Core)\r\n", "centos:7"},    // CRLF
      {"CentOS  Linux release\t7.9.2009 (Core)\n", std::nullopt},  // not a known name
      {"  CentOS release 6.10 (Final)\n", "centos:6"},
      {"CentOS Linux release 7.9.2009 (Core)\nFedora release 38\n", "centos:7"},
      {"\nCentOS Linux release 7.9.2009 (Core)\n", std::nullopt},  // the first line only
      {"Rocky Linux release 8.8 (Green Obsidian)\n", std::nullopt},
      {"openSUSE Leap release 15.5\n", std::nullopt},
      {"CentOS Linux release\n", std::nullopt},
      {"CentOS Linux release (Core)\n", std::nullopt},
      {"CentOS Linux release 7a (Core)\n", std::nullopt},
      {"CentOS Linux release x7 (Core)\n", std::nullopt},
      {"release 7\n", std::nullopt},
      {"CentOS Linux 7.9.2009 (Core)\n", std::nullopt},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.contents);
    EXPECT_EQ(Detect("redhat-release", {{"etc/redhat-release", c.contents}}), c.want);
  }
}

TEST(RedhatReleaseDetectorTest, FileOrder) {
  EXPECT_EQ(Detect("redhat-release", {{"etc/system-release", kAmazon2Release},
                                      {"etc/redhat-release", kRhel7Release}}),
            "centos:7");
  EXPECT_EQ(Detect("redhat-release", {{"etc/system-release", kAmazon2Release},
                                      {"etc/redhat-release", kRhel7Release},
                                      {"etc/centos-release", kCentos8Release}}),
            "centos:8");
  // Oracle Linux's redhat-release says Red Hat.
  EXPECT_EQ(Detect("redhat-release", {{"etc/oracle-release", kOracle8Release},
                                      {"etc/redhat-release", kOracle8RedhatRelease},
                                      {"etc/system-release", kOracle8Release}}),
            "oracle:8");
  // A file that names nothing gives way to the next.
  EXPECT_EQ(Detect("redhat-release", {{"etc/centos-release", ""},
                                      {"etc/redhat-release", "garbage\n"},
                                      {"etc/system-release", kAmazon2Release}}),
            "amzn:2");
  EXPECT_EQ(
      Detect("redhat-release", {{"etc/fedora-release", "Fedora release 38 (Thirty Eight)\n"}}),
      std::nullopt);
}

// --- alpine-release ---------------------------------------------------------

TEST(AlpineReleaseDetectorTest, Versions) {
  const Case cases[] = {
      {"3.18.4\n", "alpine:v3.18"}, {"3.19_alpha20230901\n", "alpine:v3.19"},
      {"3.4.6\n", "alpine:v3.4"},   {"3.12.12\n", "alpine:v3.12"},
      {"3.20.3\n", "alpine:v3.20"}, {"3.9.0", "alpine:v3.9"},
      {"3.10\n", "alpine:v3.10"},   {"  3.18.4\r\n", "alpine:v3.18"},
      {"edge\n", std::nullopt},     {"3\n", std::nullopt},
      {"3.\n", std::nullopt},       {".18\n", std::nullopt},
      {"v3.18\n", std::nullopt},    {"3.x\n", std::nullopt},
      {"3.18a\n", std::nullopt},    {"3.18 4\n", std::nullopt},
      {"\n3.18.4\n", std::nullopt}, {"123456789.1\n", std::nullopt},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.contents);
    EXPECT_EQ(Detect("alpine-release", {{"etc/alpine-release", c.contents}}), c.want);
  }
}

// --- apt sources ------------------------------------------------------------

TEST(AptSourcesDetectorTest, ShippedFiles) {
  const Case cases[] = {
      {kWheezySources, "debian:7"},    {kJessieSources, "debian:8"},
      {kStretchSources, "debian:9"},   {kBusterSources, "debian:10"},
      {kBullseyeSources, "debian:11"}, {kTrustySources, "ubuntu:14.04"},
      {kNobleSources, std::nullopt},   {kSidSources, std::nullopt},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.contents);
    EXPECT_EQ(Detect("apt-sources", {{"etc/apt/sources.list", c.contents}}), c.want);
  }
}

TEST(AptSourcesDetectorTest, Lines) {
  const Case cases[] = {
      {"deb http://deb.debian.org/debian squeeze main\n", "debian:6"},
      {"deb http://deb.debian.org/debian bookworm main\n", "debian:12"},
      {"deb http://deb.debian.org/debian trixie main\n", "debian:13"},
      {"deb http://security.debian.org/debian-security bookworm-security main\n", "debian:12"},
      {"deb http://security.debian.org wheezy/updates main\n", "debian:7"},
      {"deb http://archive.debian.org/debian lenny main\n", "debian:5"},
      {"deb http://archive.ubuntu.com/ubuntu precise main\n", "ubuntu:12.04"},
      {"deb http://archive.ubuntu.com/ubuntu xenial main\n", "ubuntu:16.04"},
      {"deb http://archive.ubuntu.com/ubuntu bionic-security main\n", "ubuntu:18.04"},
      {"deb http://archive.ubuntu.com/ubuntu focal-updates main\n", "ubuntu:20.04"},
      {"deb http://archive.ubuntu.com/ubuntu jammy main\n", "ubuntu:22.04"},
      {"deb http://archive.ubuntu.com/ubuntu noble main\n", "ubuntu:24.04"},
      {"deb http://archive.ubuntu.com/ubuntu mantic main\n", "ubuntu:23.10"},
      {"deb-src http://archive.ubuntu.com/ubuntu/ trusty main\n", "ubuntu:14.04"},
      {"deb [arch=amd64] http://deb.debian.org/debian jessie main\n", "debian:8"},
      {"deb [ arch=amd64 signed-by=/usr/share/keyrings/debian.gpg ] "
       "http://deb.debian.org/debian stretch main\n",
       "debian:9"},
      {"deb [arch=amd64 signed-by=/k.gpg] http://deb.debian.org/debian buster main\n", "debian:10"},
      {"\tdeb   http://deb.debian.org/debian\tjessie main\r\n", "debian:8"},
      {"deb http://deb.debian.org/debian jessie", "debian:8"},
      {"deb http://deb.debian.org/debian jessie main # comment\n", "debian:8"},
      // The first line that names a known release counts.
      {"deb http://deb.debian.org/debian sid main\n"
       "deb http://deb.debian.org/debian jessie main\n"
       "deb http://archive.ubuntu.com/ubuntu trusty main\n",
       "debian:8"},
      {"# deb http://deb.debian.org/debian jessie main\n", std::nullopt},
      {"#deb http://deb.debian.org/debian jessie main\n", std::nullopt},
      {"deb http://deb.debian.org/debian # jessie main\n", std::nullopt},
      {"rpm http://deb.debian.org/debian jessie main\n", std::nullopt},
      {"debian http://deb.debian.org/debian jessie main\n", std::nullopt},
      {"deb jessie\n", std::nullopt},
      {"deb [arch=amd64 http://deb.debian.org/debian jessie main\n", std::nullopt},
      {"deb http://deb.debian.org/debian unstable main\n", std::nullopt},
      {"deb http://deb.debian.org/debian stable main\n", std::nullopt},
      {"deb http://deb.debian.org/debian testing main\n", std::nullopt},
      {"deb http://deb.debian.org/debian experimental main\n", std::nullopt},
      {"deb http://deb.debian.org/debian Jessie main\n", std::nullopt},
      {"deb http://example.com/repo ./\n", std::nullopt},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.contents);
    EXPECT_EQ(Detect("apt-sources", {{"etc/apt/sources.list", c.contents}}), c.want);
  }
}

// --- Garbage ----------------------------------------------------------------

std::vector<std::string> Garbage() {
  std::string every_byte;
  for (int i = 0; i < 256; ++i) every_byte.push_back(static_cast<char>(i));
  const std::string mega(1 << 20, 'A');
  const std::string mega_digits(1 << 20, '7');
  const std::string mega_lower(1 << 20, 'a');
  return {
      "",
      "\n\n\n",
      std::string(1, '\0'),
      every_byte,
      every_byte + every_byte + "\n" + every_byte,
      mega,
      mega + "\n" + mega,
      std::string(1 << 20, '\n'),
      std::string(1 << 20, ' '),
      std::string(1 << 20, '"'),
      // Invalid UTF-8: a lone continuation byte, truncated and overlong
      // sequences, surrogates.
      "\x80\xbf\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc\xc0\xaf\xed\xa0\x80\xff\xfe",
      "ID=\xff\xfe\nVERSION_ID=\xc0\xaf\n",
      std::string("ID=debian\0\nVERSION_ID=8\n", 24),
      std::string("ID=debian\nVERSION_ID=8\0\n", 24),
      "ID=" + mega_lower + "\nVERSION_ID=1\n",
      "ID=debian\nVERSION_ID=" + mega_lower + "\n",
      "ID=alpine\nVERSION_ID=3." + mega_digits + "\n",
      "DISTRIB_ID=" + mega_lower + "\nDISTRIB_RELEASE=1\n",
      "DISTRIB_ID=ubuntu\nDISTRIB_RELEASE=" + mega_lower + "\n",
      "CentOS release " + mega_digits + "\n",
      "CentOS " + mega + " release 7\n",
      "release " + std::string(1 << 20, 'r') + "\n",
      std::string(1 << 20, 'r').replace(0, 8, "release "),
      mega_digits + "." + mega_digits,
      "3." + mega_digits,
      "deb " + mega + "jessie main\n",
      "deb [" + mega + "\n",
      "deb http://x " + mega_lower + "\n",
      "deb http://x jessie\xff main\n",
      "deb\xa0http://x jessie main\n",
  };
}

TEST(NamespaceGarbageTest, NamesNothingAndDoesNotCrash) {
  const std::vector<std::string> garbage = Garbage();
  for (const auto& detector : NamespaceDetectors()) {
    for (const std::string& path : detector.paths) {
      for (std::size_t i = 0; i < garbage.size(); ++i) {
        SCOPED_TRACE(detector.name + " " + path + " garbage #" + std::to_string(i));
        LayerFiles layer;
        layer.Add(path, garbage[i]);
        EXPECT_EQ(detector.detect(layer), std::nullopt);
        EXPECT_EQ(DetectNamespace(layer), std::nullopt);
      }
    }
  }
}

TEST(NamespaceGarbageTest, EveryFileGarbageAtOnce) {
  for (const std::string& garbage : Garbage()) {
    LayerFiles layer;
    for (const auto& detector : NamespaceDetectors()) {
      for (const std::string& path : detector.paths) layer.Add(path, garbage);
    }
    EXPECT_EQ(DetectNamespace(layer), std::nullopt);
  }
}

}  // namespace
}  // namespace herald::analyzer
