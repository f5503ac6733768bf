#include <gtest/gtest.h>

#include "apply/sudo_password.h"

namespace chaos {
namespace {

// The sudo password goes only where the role host has a private route for it: a host put in
// the wrong class would get it in a command line on its connector.
TEST(SudoRoutes, LocalAndSshHaveARouteOtherConnectorsHaveNone) {
  SudoRoutes routes = sudo_routes({"@local", "web1.example.org", "10.0.0.2", "@ssh/db", "@docker/app", "@chroot/x"});
  EXPECT_TRUE(routes.local);
  EXPECT_TRUE(routes.ssh);
  EXPECT_EQ(routes.none, (std::vector<std::string>{"@docker/app", "@chroot/x"}));
}

TEST(SudoRoutes, LocalAloneIsNotSsh) {
  SudoRoutes routes = sudo_routes({"@local"});
  EXPECT_TRUE(routes.local);
  EXPECT_FALSE(routes.ssh);
  EXPECT_TRUE(routes.none.empty());
}

TEST(SudoRoutes, SshFleetWithoutLocal) {
  SudoRoutes routes = sudo_routes({"web-1", "@ssh/web-2"});
  EXPECT_FALSE(routes.local);
  EXPECT_TRUE(routes.ssh);
  EXPECT_TRUE(routes.none.empty());
}

TEST(SudoRoutes, ALocalLookalikeIsNotLocal) {
  // Only the exact names: @localhost and @sshx/ are other (unknown) connectors.
  SudoRoutes routes = sudo_routes({"@localhost", "@sshx/a"});
  EXPECT_FALSE(routes.local);
  EXPECT_FALSE(routes.ssh);
  EXPECT_EQ(routes.none.size(), 2u);
}

}  // namespace
}  // namespace chaos
