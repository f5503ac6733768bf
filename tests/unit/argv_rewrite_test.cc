#include "cli/argv_rewrite.h"

#include <gtest/gtest.h>

namespace chaos {
namespace {

TEST(RewriteLegacyOptions, TurnsSingleDashWordsIntoLongOptions) {
  auto out = rewrite_legacy_options({"apply", "-ikwid", "-nw", "-pf", "file", "-ps=secret", "role"});
  EXPECT_EQ(out, (std::vector<std::string>{"apply", "--i-know-what-im-doing", "--no-wait", "--sudo_password_file",
                                           "file", "--password=secret", "role"}));
}

TEST(RewriteLegacyOptions, LeavesEverythingAfterDoubleDash) {
  auto out = rewrite_legacy_options({"apply", "--", "-nw"});
  EXPECT_EQ(out, (std::vector<std::string>{"apply", "--", "-nw"}));
}

TEST(RewriteLegacyOptions, LeavesSimilarWordsAlone) {
  auto out = rewrite_legacy_options({"-nwx", "-n", "-y"});
  EXPECT_EQ(out, (std::vector<std::string>{"-nwx", "-n", "-y"}));
}

}  // namespace
}  // namespace chaos
