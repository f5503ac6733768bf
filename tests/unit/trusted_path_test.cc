#include "util/trusted_path.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_support.h"

namespace chaos {
namespace {

// Scratch directories are made by mkdtemp (mode 0700, ours) under /tmp (root, sticky 1777).
class TrustedPath : public ::testing::Test {
 protected:
  std::string dir(const std::string& rel, mode_t mode) {
    std::string p = scratch / rel;
    EXPECT_FALSE(make_directories(p).has_value());
    EXPECT_EQ(::chmod(p.c_str(), mode), 0);
    return p;
  }
  testing::ScratchDir scratch;
};

TEST_F(TrustedPath, OwnDirectoryUnderStickyTmpIsTrusted) {
  EXPECT_FALSE(check_trusted_path(dir("plugins", 0755), "the plugin directory").has_value());
}

TEST_F(TrustedPath, WorldWritableDirectoryIsRefusedWithTheFix) {
  std::string p = dir("plugins", 0777);
  auto err = check_trusted_path(p, "the plugin directory");
  ASSERT_TRUE(err.has_value());
  EXPECT_NE(err->message.find("the plugin directory " + p + " is writable by other users"), std::string::npos)
      << err->message;
  EXPECT_NE(err->message.find("mode 0777"), std::string::npos) << err->message;
  EXPECT_EQ(err->hint, "chmod go-w " + p);
}

TEST_F(TrustedPath, GroupWritableFileIsRefused) {
  std::string p = scratch / "plugin.whl";
  testing::write(p, "zip");
  ASSERT_EQ(::chmod(p.c_str(), 0664), 0);
  EXPECT_TRUE(check_trusted_path(p, "the wheel").has_value());
  ASSERT_EQ(::chmod(p.c_str(), 0644), 0);
  EXPECT_FALSE(check_trusted_path(p, "the wheel").has_value());
}

TEST_F(TrustedPath, WritableParentWithoutStickyBitIsRefused) {
  std::string parent = dir("shared", 0777);
  std::string p = dir("shared/plugins", 0755);
  auto err = check_trusted_path(p, "the plugin directory");
  ASSERT_TRUE(err.has_value());
  EXPECT_NE(err->message.find("(through " + parent + ")"), std::string::npos) << err->message;
  EXPECT_EQ(err->hint, "chmod go-w " + parent);
}

TEST_F(TrustedPath, StickyWritableParentIsAllowedButNotAsTheTarget) {
  dir("tmp-like", 01777);
  EXPECT_FALSE(check_trusted_path(dir("tmp-like/mine", 0700), "the cache directory").has_value());
  // A name that does not exist yet in a sticky shared directory could be created by anyone.
  EXPECT_TRUE(check_trusted_path(scratch / "tmp-like/not-yet", "the cache directory").has_value());
}

TEST_F(TrustedPath, MissingPathIsJudgedByItsNearestAncestor) {
  dir("own", 0700);
  EXPECT_FALSE(check_trusted_path(scratch / "own/a/b/c", "the cache directory").has_value());
  dir("open", 0777);
  EXPECT_TRUE(check_trusted_path(scratch / "open/a/b", "the cache directory").has_value());
}

TEST_F(TrustedPath, DirectoryOfAnotherUserIsRefused) {
  ASSERT_EQ(::geteuid(), 0u) << "changes a directory's owner: run as root (CI does)";
  std::string p = dir("theirs", 0755);
  ASSERT_EQ(::chown(p.c_str(), 65534, 65534), 0);
  auto err = check_trusted_path(p, "the plugin directory");
  ASSERT_TRUE(err.has_value());
  EXPECT_NE(err->message.find("is owned by "), std::string::npos) << err->message;
  EXPECT_NE(err->message.find("not by root; chaos does not use it"), std::string::npos) << err->message;
  EXPECT_NE(err->hint.find("chown root " + p), std::string::npos) << err->hint;
}

TEST_F(TrustedPath, SymlinkIsJudgedWhereItLeads) {
  std::string target = dir("open", 0777);
  std::string link = scratch / "link";
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
  auto err = check_trusted_path(link, "the plugin directory");
  ASSERT_TRUE(err.has_value());
  EXPECT_NE(err->message.find("(through " + target + ")"), std::string::npos) << err->message;
  std::string good = dir("good", 0755);
  std::string good_link = scratch / "good-link";
  ASSERT_EQ(::symlink(good.c_str(), good_link.c_str()), 0);
  EXPECT_FALSE(check_trusted_path(good_link, "the plugin directory").has_value());
}

}  // namespace
}  // namespace chaos
