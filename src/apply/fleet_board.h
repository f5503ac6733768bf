// apply/fleet_board: live progress of a fleet's execution on a terminal, one line per host,
// redrawn in place (docs/fleet.md "Progress"). Off a terminal the run prints plain lines
// instead; this class is only the terminal's view.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "term/style.h"

namespace chaos {

class FleetBoard {
 public:
  struct HostLine {
    std::string name;
    int total = 0;  // operations staged for it
    int done = 0;
    int changed = 0;
    int failed = 0;
    bool running = false;
    bool stopped = false;  // it will run nothing more (failed, or the run stopped)
    std::string current;   // the operation it runs now
  };

  // `hosts` with how many operations each will run, in fleet order; `width` x `height` is the
  // terminal: lines are cut to the width, and a fleet taller than the screen shows the hosts
  // still at work and the failed ones first, the rest counted on one line.
  FleetBoard(std::vector<HostLine> hosts, const Painter& paint, int width, int height);

  void op_started(const std::string& host, const std::string& op);
  // status as in op_done: changed, no_change, failed, skipped, interrupted.
  void op_done(const std::string& host, const std::string& status, bool ignored);

  // The text that replaces the block drawn last (cursor moved up over it, lines rewritten,
  // anything below cleared); empty when nothing changed or the last draw is too recent
  // (`force` draws anyway).
  std::string draw(bool force = false);
  // Clears the block and forgets it, so that other output can be printed; the next draw()
  // starts below that output.
  std::string erase();

  const std::vector<HostLine>& hosts() const { return hosts_; }

 private:
  HostLine* find(const std::string& host);
  std::vector<std::string> lines() const;
  std::string line_for(const HostLine& host) const;

  std::vector<HostLine> hosts_;
  const Painter& paint_;
  int width_;
  int height_;
  size_t name_width_ = 0;
  size_t drawn_ = 0;  // lines of the block on screen now
  bool dirty_ = true;
  unsigned frame_ = 0;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace chaos
