// Bounded work for wheels (issue 8, item 13): what a wheel declares is checked before anything
// is allocated or inflated, and a wheel that would cost too much is refused by name.
#include <gtest/gtest.h>

#include "plugins/distributions.h"
#include "plugins/plugin_index.h"
#include "test_support.h"

namespace chaos {
namespace {

using testing::ScratchDir;

// Builds wheels with Python's zipfile, then lies in their headers where asked.
constexpr const char* kMakeWheel = R"PY(
import struct, sys, zipfile
path, kind = sys.argv[1], sys.argv[2]
ep = "[chaos.roles]\nr = plug.roles:R\n"
meta = "Name: plug\nVersion: 1.0\n\n"
with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("plug-1.0.dist-info/METADATA", meta)
    if kind == "claims-4gb":
        z.writestr(zipfile.ZipInfo("plug-1.0.dist-info/entry_points.txt"), ep)
    elif kind == "bomb":
        z.writestr("plug-1.0.dist-info/entry_points.txt", ep + "#" * ((1 << 20) - len(ep)))
    elif kind == "many":
        for i in range(100001):
            z.writestr(zipfile.ZipInfo("m%d" % i), b"")
    else:
        z.writestr("plug-1.0.dist-info/entry_points.txt", ep)
if kind == "claims-4gb":
    # The uncompressed size in the local header (offset 22) and central directory (offset 24).
    data = bytearray(open(path, "rb").read())
    name = b"plug-1.0.dist-info/entry_points.txt"
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature)
        while at >= 0:
            name_at = at + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at:name_at + len(name)] == name:
                struct.pack_into("<I", data, at + offset, 0xF0000000)
            at = data.find(signature, at + 4)
    open(path, "wb").write(bytes(data))
)PY";

std::string make_wheel(const ScratchDir& dir, const std::string& kind) {
  std::string path = dir / ("plug-1.0-" + kind + "-py3-none-any.whl");
  auto run = run_capture({"python3", "-c", kMakeWheel, path, kind});
  EXPECT_TRUE(run.ok() && run->status.exited_with(0)) << (run.ok() ? run->err : run.error().message);
  return path;
}

std::string problems_of(const ScanResult& scan, const std::string& wheel) {
  std::string out;
  for (const auto& p : scan.problems) {
    if (p.path == wheel) out += p.message + "\n";
  }
  return out;
}

TEST(WheelLimits, AnHonestWheelIsRead) {
  ScratchDir dir;
  std::string wheel = make_wheel(dir, "honest");
  PluginIndex index = build_plugin_index({{wheel, "CHAOS_PLUGIN_DIR"}});
  ASSERT_EQ(index.registrations.size(), 1u);
  EXPECT_TRUE(index.problems.empty());
}

// A few hundred bytes claiming 4 GB: refused from the claim, nothing allocated for it.
TEST(WheelLimits, AMemberClaimingGigabytesIsRefusedByName) {
  ScratchDir dir;
  std::string wheel = make_wheel(dir, "claims-4gb");
  ScanResult scan = scan_distributions({{wheel, "CHAOS_PLUGIN_DIR"}});
  std::string problems = problems_of(scan, wheel);
  EXPECT_NE(problems.find("refusing to read this wheel: plug-1.0.dist-info/entry_points.txt declares 4026531840 bytes"),
            std::string::npos)
      << problems;
  EXPECT_TRUE(scan.distributions.empty());
}

// 1 MiB of '#' deflates to about 1 KiB: a ratio no text file has.
TEST(WheelLimits, ADeflateBombIsRefusedByName) {
  ScratchDir dir;
  std::string wheel = make_wheel(dir, "bomb");
  ScanResult scan = scan_distributions({{wheel, "CHAOS_PLUGIN_DIR"}});
  std::string problems = problems_of(scan, wheel);
  EXPECT_NE(problems.find("entry_points.txt would inflate"), std::string::npos) << problems;
  EXPECT_NE(problems.find("compression bomb"), std::string::npos) << problems;
}

TEST(WheelLimits, TooManyMembersIsRefusedByName) {
  ScratchDir dir;
  std::string wheel = make_wheel(dir, "many");
  ScanResult scan = scan_distributions({{wheel, "CHAOS_PLUGIN_DIR"}});
  std::string problems = problems_of(scan, wheel);
  EXPECT_NE(problems.find("it has 100002 members, more than 100000"), std::string::npos) << problems;
}

}  // namespace
}  // namespace chaos
