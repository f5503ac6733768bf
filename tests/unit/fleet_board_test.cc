#include "apply/fleet_board.h"

#include <gtest/gtest.h>

namespace chaos {
namespace {

const Painter kPlain(false);

FleetBoard::HostLine host(const std::string& name, int ops) {
  FleetBoard::HostLine line;
  line.name = name;
  line.total = ops;
  return line;
}

std::vector<FleetBoard::HostLine> hosts(int n, int ops) {
  std::vector<FleetBoard::HostLine> out;
  for (int i = 1; i <= n; ++i) out.push_back(host("web-" + std::to_string(i), ops));
  return out;
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(FleetBoard, OneLinePerHostRedrawnInPlace) {
  FleetBoard board(hosts(3, 2), kPlain, 80, 40);
  std::string first = board.draw(true);
  EXPECT_EQ(count(first, "\n"), 3u);
  EXPECT_EQ(first.find("\x1b[3A"), std::string::npos);  // nothing to move over yet
  EXPECT_NE(first.find("web-1  · 0/2"), std::string::npos) << first;

  board.op_started("web-2", "Install nginx");
  board.op_done("web-1", "changed", false);
  std::string second = board.draw(true);
  EXPECT_EQ(second.rfind("\x1b[3A", 0), 0u) << "the block is overwritten, not repeated";
  EXPECT_NE(second.find("1/2      1 changed"), std::string::npos) << second;
  EXPECT_NE(second.find("Install nginx"), std::string::npos);
}

TEST(FleetBoard, FinishedFailedAndStoppedHostsAreMarked) {
  FleetBoard board(hosts(2, 2), kPlain, 80, 40);
  board.op_done("web-1", "no_change", false);
  board.op_done("web-1", "changed", false);
  board.op_done("web-2", "failed", false);
  std::string text = board.draw(true);
  EXPECT_NE(text.find("web-1  ✓ 2/2      1 changed"), std::string::npos) << text;
  EXPECT_NE(text.find("web-2  ✗ 1/2      failed"), std::string::npos) << text;
  EXPECT_TRUE(board.hosts()[1].stopped);
  // An ignored failure does not stop the host.
  FleetBoard ignored(hosts(1, 2), kPlain, 80, 40);
  ignored.op_done("web-1", "failed", true);
  EXPECT_FALSE(ignored.hosts()[0].stopped);
}

TEST(FleetBoard, MoreHostsThanLinesShowsTheBusyOnesAndCountsTheRest) {
  FleetBoard board(hosts(30, 1), kPlain, 80, 10);
  for (int i = 1; i <= 20; ++i) board.op_done("web-" + std::to_string(i), "no_change", false);
  board.op_started("web-25", "Long operation");
  board.op_done("web-26", "failed", false);
  std::string text = board.draw(true);
  EXPECT_LE(count(text, "\n"), 8u);
  EXPECT_NE(text.find("web-25"), std::string::npos);
  EXPECT_NE(text.find("web-26"), std::string::npos);
  EXPECT_NE(text.find("28 more hosts: 20 finished, 8 waiting"), std::string::npos) << text;
}

TEST(FleetBoard, LinesFitTheWidthAndNamesAreMadeVisible) {
  std::vector<FleetBoard::HostLine> odd = {host("evil\x1b[2Jname", 1)};
  FleetBoard board(odd, kPlain, 30, 40);
  board.op_started("evil\x1b[2Jname", std::string(200, 'x'));
  std::string text = board.draw(true);
  EXPECT_EQ(text.find("\x1b[2J"), std::string::npos);
  for (size_t start = 0, end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    std::string line = text.substr(start, end - start);
    if (line.rfind("\r\x1b[K", 0) == 0) line = line.substr(4);
    EXPECT_LE(display_width(line), 30u) << line;
  }
}

TEST(FleetBoard, EraseClearsTheBlockAndTheNextDrawStartsAfresh) {
  FleetBoard board(hosts(2, 1), kPlain, 80, 40);
  (void)board.draw(true);
  EXPECT_EQ(board.erase(), "\x1b[2A\r\x1b[J");
  EXPECT_EQ(board.erase(), "");
  std::string again = board.draw(true);
  EXPECT_EQ(again.find("\x1b[2A"), std::string::npos);
  EXPECT_EQ(board.draw(), "") << "nothing changed, and too soon";
}

}  // namespace
}  // namespace chaos
