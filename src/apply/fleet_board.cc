#include "apply/fleet_board.h"

#include <algorithm>

#include "term/escape.h"

namespace chaos {
namespace {

// Redraws at most this often: 30 hosts finishing operations together would otherwise repaint
// the block hundreds of times a second.
constexpr auto kMinRedraw = std::chrono::milliseconds(100);
constexpr size_t kMaxNameWidth = 28;

// Cuts text to `width` display columns (UTF-8 aware: never inside a code point).
std::string cut(const std::string& text, size_t width) {
  if (display_width(text) <= width) return text;
  std::string out;
  size_t columns = 0;
  for (size_t i = 0; i < text.size();) {
    size_t len = 1;
    auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0xF0)
      len = 4;
    else if (byte >= 0xE0)
      len = 3;
    else if (byte >= 0xC0)
      len = 2;
    if (columns + 1 >= width) break;
    out.append(text, i, len);
    i += len;
    ++columns;
  }
  return out + "…";
}

std::string pad(const std::string& text, size_t width) {
  size_t shown = display_width(text);
  return shown >= width ? text : text + std::string(width - shown, ' ');
}

}  // namespace

FleetBoard::FleetBoard(std::vector<HostLine> hosts, const Painter& paint, int width, int height)
    : hosts_(std::move(hosts)), paint_(paint), width_(std::max(width, 20)), height_(std::max(height, 4)) {
  for (auto& h : hosts_) {
    h.name = visible(h.name);
    name_width_ = std::max(name_width_, std::min(display_width(h.name), kMaxNameWidth));
  }
}

FleetBoard::HostLine* FleetBoard::find(const std::string& host) {
  std::string shown = visible(host);
  for (auto& h : hosts_)
    if (h.name == shown) return &h;
  return nullptr;
}

void FleetBoard::op_started(const std::string& host, const std::string& op) {
  if (HostLine* h = find(host)) {
    h->running = true;
    h->current = visible(op);
    dirty_ = true;
  }
}

void FleetBoard::op_done(const std::string& host, const std::string& status, bool ignored) {
  HostLine* h = find(host);
  if (h == nullptr) return;
  ++h->done;
  if (status == "changed") ++h->changed;
  if (status == "failed" && !ignored) {
    ++h->failed;
    h->stopped = true;  // pyinfra runs nothing more on a host after a failed operation
  }
  if (status == "interrupted") h->stopped = true;
  h->running = !h->stopped && h->done < h->total;
  h->current.clear();
  dirty_ = true;
}

std::string FleetBoard::line_for(const HostLine& h) const {
  static const char* const kFrames[] = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};
  bool finished = h.stopped || h.done >= h.total;
  std::string mark = h.failed    ? paint_(Tone::red, "✗")
                     : finished  ? paint_(Tone::green, "✓")
                     : h.running ? paint_(Tone::cyan, kFrames[frame_ % 10])
                                 : paint_(Tone::dim, "·");
  std::string name = pad(cut(h.name, kMaxNameWidth), name_width_);
  std::string count = pad(std::to_string(h.done) + "/" + std::to_string(h.total), 7);
  // The width is counted on the unpainted text: colour codes take no columns.
  std::string plain_detail, detail;
  auto add = [&](Tone tone, const std::string& text) {
    plain_detail += (plain_detail.empty() ? "" : ", ") + text;
    detail += (detail.empty() ? "" : ", ") + paint_(tone, text);
  };
  if (h.failed) add(Tone::red, "failed");
  if (h.changed) add(Tone::yellow, std::to_string(h.changed) + " changed");
  std::string line = name + "  " + mark + " " + count + "  " + detail;
  size_t used = display_width(name) + 4 + display_width(count) + 2 + display_width(plain_detail);
  size_t gap = plain_detail.empty() ? 0 : 2;
  if (!h.current.empty() && used + gap + 8 < static_cast<size_t>(width_))
    line += std::string(gap, ' ') + paint_(Tone::dim, cut(h.current, width_ - used - gap - 1));
  return line;
}

std::vector<std::string> FleetBoard::lines() const {
  std::vector<std::string> out;
  size_t room = static_cast<size_t>(height_ - 2);
  if (hosts_.size() <= room) {
    for (const auto& h : hosts_) out.push_back(line_for(h));
    return out;
  }
  // Too many for the screen: the hosts at work and the failed ones, in fleet order, then one
  // line counting the others.
  size_t done = 0, waiting = 0, hidden = 0;
  for (const auto& h : hosts_) {
    bool finished = h.stopped || h.done >= h.total;
    bool shown = (h.running || h.failed) && out.size() + 1 < room;
    if (shown) {
      out.push_back(line_for(h));
      continue;
    }
    ++hidden;
    (finished ? done : waiting) += 1;
  }
  out.push_back(paint_(Tone::dim, "… " + std::to_string(hidden) + " more hosts: " + std::to_string(done) +
                                      " finished, " + std::to_string(waiting) + " waiting"));
  return out;
}

std::string FleetBoard::draw(bool force) {
  auto now = std::chrono::steady_clock::now();
  if (!force && (!dirty_ || now - last_draw_ < kMinRedraw)) return {};
  last_draw_ = now;
  dirty_ = false;
  ++frame_;
  std::string out;
  if (drawn_ > 0) out += "\x1b[" + std::to_string(drawn_) + "A";
  auto block = lines();
  for (const auto& line : block) out += "\r\x1b[K" + line + "\n";
  out += "\x1b[J";  // a block shorter than the last leaves nothing of it below
  drawn_ = block.size();
  return out;
}

std::string FleetBoard::erase() {
  if (drawn_ == 0) return {};
  std::string out = "\x1b[" + std::to_string(drawn_) + "A\r\x1b[J";
  drawn_ = 0;
  dirty_ = true;
  return out;
}

}  // namespace chaos
