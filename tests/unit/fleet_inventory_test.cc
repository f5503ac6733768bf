#include "fleet/inventory.h"
#include "fleet/max_fail.h"

#include <gtest/gtest.h>

namespace chaos {
namespace {

Fleet read(const std::string& text) {
  auto fleet = read_fleet(text, "box.yml");
  EXPECT_TRUE(fleet.ok()) << (fleet.ok() ? "" : fleet.error().message + " at " + fleet.error().where);
  return fleet.ok() ? *fleet : Fleet{};
}

std::vector<std::string> names(const std::vector<FleetHost>& hosts) {
  std::vector<std::string> out;
  for (const auto& h : hosts) out.push_back(h.name);
  return out;
}

TEST(FleetInventory, HostsAsAMappingOrAListKeepTheirOrderAndData) {
  Fleet mapping = read(
      "fleet:\n  parallelism: 4\n  hosts:\n    web-1: {ssh_user: deploy, ssh_port: 2222}\n"
      "    db-1:\n    '@local':\n");
  EXPECT_TRUE(mapping.present);
  EXPECT_EQ(mapping.parallelism, 4);
  EXPECT_EQ(names(mapping.hosts), (std::vector<std::string>{"web-1", "db-1", "@local"}));
  EXPECT_EQ(mapping.hosts[0].data["ssh_port"], 2222);
  EXPECT_EQ(mapping.hosts[0].data["ssh_user"], "deploy");
  EXPECT_TRUE(mapping.hosts[1].data.empty());
  EXPECT_EQ(mapping.hosts[0].where, "box.yml:4:5");

  Fleet list = read("fleet:\n  hosts:\n    - web-1: {ssh_user: deploy}\n    - '@ssh/db-1'\n");
  EXPECT_EQ(names(list.hosts), (std::vector<std::string>{"web-1", "@ssh/db-1"}));
}

TEST(FleetInventory, GroupsFromTheGroupsBlockAndFromEachHost) {
  Fleet fleet = read(
      "fleet:\n  hosts:\n    web-1: {groups: [web, eu]}\n    web-2:\n    db-1: {ssh_user: pg}\n"
      "  groups:\n    web: [web-2]\n    db: db-1\n");
  EXPECT_EQ(fleet.hosts[0].groups, (std::vector<std::string>{"web", "eu"}));
  EXPECT_FALSE(fleet.hosts[0].data.contains("groups"));  // chaos', not pyinfra's
  EXPECT_EQ(fleet.hosts[1].groups, (std::vector<std::string>{"web"}));
  EXPECT_EQ(fleet.hosts[2].groups, (std::vector<std::string>{"db"}));

  auto web = select_hosts(fleet, {"@web"}, {});
  ASSERT_TRUE(web.ok());
  EXPECT_EQ(names(*web), (std::vector<std::string>{"web-1", "web-2"}));
  auto glob = select_hosts(fleet, {"*-1"}, {"@eu"});
  ASSERT_TRUE(glob.ok());
  EXPECT_EQ(names(*glob), (std::vector<std::string>{"db-1"}));
  auto all = select_hosts(fleet, {}, {"db-*"});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(names(*all), (std::vector<std::string>{"web-1", "web-2"}));
}

TEST(FleetInventory, APatternMatchingNothingOrLeavingNothingIsAnError) {
  Fleet fleet = read("fleet:\n  hosts: [a, b]\n");
  auto typo = select_hosts(fleet, {"c*"}, {});
  ASSERT_FALSE(typo.ok());
  EXPECT_EQ(typo.error().message, "`c*` matches no fleet host");
  EXPECT_FALSE(select_hosts(fleet, {}, {"@nogroup"}).ok());
  auto none = select_hosts(fleet, {"a"}, {"a"});
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("leave no host"), std::string::npos);
}

TEST(FleetInventory, MalformedEntriesAreErrorsAtTheirPosition) {
  struct Case {
    const char* text;
    const char* message;
    const char* where;
  } cases[] = {
      {"fleet:\n  hosts:\n    web-1: [not, a, mapping]\n", "must be a mapping of connector settings", "box.yml:3:12"},
      {"fleet:\n  hosts:\n    - {a: 1, b: 2}\n", "must be a name or one", "box.yml:3:7"},
      {"fleet:\n  hosts:\n    - a\n    - a\n", "listed twice (first at box.yml:3:7)", "box.yml:4:7"},
      {"fleet:\n  hosts: 3\n", "must be a mapping or a list", "box.yml:2:10"},
      {"fleet:\n  hosts: ['web 1']\n", "has a space or control character", "box.yml:2:11"},
      {"fleet:\n  hosts: ['-oProxyCommand=x']\n", "starts with `-`", "box.yml:2:11"},
      {"fleet:\n  hosts: ['@/x']\n", "names no connector", "box.yml:2:11"},
      {"fleet:\n  hosts: [a]\n  groups: {web: [b]}\n", "names `b`, which is not a fleet host", "box.yml:3:17"},
      {"fleet:\n  hosts: [a]\n  parallelism: many\n", "must be a whole number", "box.yml:3:16"},
      {"fleet:\n  hosts: [a]\n  parallelism: -1\n", "cannot be negative", "box.yml:3:16"},
      {"fleet: [a, b]\n", "`fleet` must be a mapping", "box.yml:1:8"},
      {"fleet:\n  hosts: [a]\n  boats: {provider: x}\n", "must be a list of {provider, config}", "box.yml:3:10"},
  };
  for (const auto& c : cases) {
    auto fleet = read_fleet(c.text, "box.yml");
    ASSERT_FALSE(fleet.ok()) << c.text;
    EXPECT_NE(fleet.error().message.find(c.message), std::string::npos) << c.text << " -> " << fleet.error().message;
    EXPECT_EQ(fleet.error().where, c.where) << c.text;
  }
}

TEST(FleetInventory, NoFleetBlockAndRestrictionsFromEitherPlace) {
  Fleet none = read("users: [alice]\n");
  EXPECT_FALSE(none.present);
  EXPECT_TRUE(none.hosts.empty());
  EXPECT_TRUE(none.restrictions.is_null());
  Fleet top = read("restrictions: {black_list: {a: {}}}\nfleet:\n  hosts: [a]\n");
  EXPECT_TRUE(top.restrictions.contains("black_list"));
  Fleet inside = read("fleet:\n  hosts: [a]\n  restrictions: {allow_list: {a: {r: true}}}\n");
  EXPECT_TRUE(inside.restrictions.contains("allow_list"));
}

TEST(FleetMaxFail, HostsOrAPercentage) {
  auto hosts = parse_max_fail("3");
  ASSERT_TRUE(hosts.ok());
  EXPECT_EQ(hosts->param(), (nlohmann::json{{"hosts", 3}}));
  auto none = parse_max_fail("0");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->param(), (nlohmann::json{{"hosts", 0}}));
  auto percent = parse_max_fail("12.5%");
  ASSERT_TRUE(percent.ok());
  EXPECT_EQ(percent->param(), (nlohmann::json{{"percent", 12.5}}));
}

TEST(FleetMaxFail, AnythingElseIsRefusedWithTheForms) {
  for (const char* bad :
       {"", "%", "-1", "1.5", "+2", "x", "3 ", "25%%", "-5%", "1e2%", "nan%", "inf%", "99999999999999999999", "5.%x"}) {
    auto parsed = parse_max_fail(bad);
    EXPECT_FALSE(parsed.ok()) << bad;
    if (!parsed.ok()) {
      EXPECT_NE(parsed.error().message.find("--max-fail"), std::string::npos) << bad;
    }
  }
  auto never = parse_max_fail("100%");
  ASSERT_FALSE(never.ok());
  EXPECT_NE(never.error().message.find("never stop"), std::string::npos);
}

TEST(FleetInventory, BoatsKeepTheirEntriesAndPositions) {
  Fleet fleet = read("fleet:\n  boats:\n    - provider: file\n      config: {path: h.yml}\n    - {provider: cloud}\n");
  ASSERT_EQ(fleet.boats.size(), 2u);
  EXPECT_EQ(fleet.boats[0]["provider"], "file");
  EXPECT_EQ(fleet.boats[0]["config"]["path"], "h.yml");
  EXPECT_EQ(fleet.boats_where, (std::vector<std::string>{"box.yml:3:7", "box.yml:5:7"}));
  EXPECT_TRUE(fleet.hosts.empty());
}

// The rule boat hosts are held to as well (fleet/boats.cc), with the Ch-obolo's wording.
TEST(FleetInventory, HostNameProblems) {
  EXPECT_FALSE(host_name_problem("web-1").has_value());
  EXPECT_FALSE(host_name_problem("@local").has_value());
  EXPECT_FALSE(host_name_problem("@docker/box").has_value());
  EXPECT_NE(host_name_problem("")->find("empty name"), std::string::npos);
  EXPECT_NE(host_name_problem("a b")->find("space or control"), std::string::npos);
  EXPECT_NE(host_name_problem("a\nb")->find("space or control"), std::string::npos);
  EXPECT_NE(host_name_problem("-oX")->find("starts with `-`"), std::string::npos);
  EXPECT_NE(host_name_problem("@")->find("names no connector"), std::string::npos);
  EXPECT_NE(host_name_problem("\xff")->find("not valid UTF-8"), std::string::npos);
}

}  // namespace
}  // namespace chaos
