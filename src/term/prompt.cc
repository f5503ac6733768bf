#include "term/prompt.h"

#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <optional>

#include "util/fs.h"
#include "util/signals.h"

namespace chaos {
namespace {

// A prompt that cannot be shown is no reason to stop reading the answer.
void show(int fd, const std::string& text) { (void)write_all(fd, text, "the terminal"); }

// Echo off for as long as it lives, and back on however the read ends.
class EchoOff {
 public:
  explicit EchoOff(int fd) : fd_(fd) {
    if (::tcgetattr(fd_, &saved_) != 0) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    active_ = ::tcsetattr(fd_, TCSAFLUSH, &quiet) == 0;
  }
  ~EchoOff() {
    if (active_) ::tcsetattr(fd_, TCSAFLUSH, &saved_);
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

 private:
  int fd_;
  termios saved_{};
  bool active_ = false;
};

}  // namespace

LineInput read_line(int fd, size_t max_bytes, bool echo) {
  LineInput out;
  std::optional<EchoOff> quiet;
  if (!echo) quiet.emplace(fd);
  for (;;) {
    if (pending_signal()) {
      out.status = LineInput::Status::interrupted;
      return out;
    }
    pollfd fds[2] = {{fd, POLLIN, 0}, {signal_wake_fd(), POLLIN, 0}};
    int ready = ::poll(fds, 2, -1);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) {
      out.status = LineInput::Status::error;
      return out;
    }
    if (fds[1].revents) continue;  // pending_signal() says which
    if (!fds[0].revents) continue;
    char c = 0;
    ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) {
      out.status = LineInput::Status::error;
      return out;
    }
    if (n == 0) {
      out.status = out.text.empty() ? LineInput::Status::end_of_input : LineInput::Status::line;
      return out;
    }
    if (c == '\n') return out;
    if (out.text.size() < max_bytes) out.text.push_back(c);
  }
}

LineInput ask(int in_fd, int out_fd, const std::string& prompt, size_t max_bytes, bool echo) {
  // Echo goes off before the prompt shows: nothing typed once it is visible is echoed.
  std::optional<EchoOff> quiet;
  if (!echo) quiet.emplace(in_fd);
  show(out_fd, prompt);
  LineInput answer = read_line(in_fd, max_bytes, true);
  quiet.reset();
  if (!echo || answer.status == LineInput::Status::interrupted) show(out_fd, "\n");
  return answer;
}

}  // namespace chaos
