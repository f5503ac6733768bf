// term/prompt: reading what a person types, so that a signal acts at once.
//
// A blocking read (fgets) under SA_RESTART handlers survives Ctrl-C: the handler runs and the
// read goes on waiting. These poll the input together with util/signals' wake descriptor and
// return as soon as a signal is pending, with the terminal's echo restored.
#pragma once

#include <cstddef>
#include <string>

namespace chaos {

struct LineInput {
  enum class Status { line, end_of_input, interrupted, error } status = Status::line;
  std::string text;  // without its newline; a longer line is cut at the limit, its rest read and dropped
};

// Reads one line from `fd`, byte by byte (nothing after the newline is consumed). With
// `echo` false and `fd` a terminal, what is typed is not shown, and echo comes back however
// the read ends.
LineInput read_line(int fd, size_t max_bytes, bool echo = true);

// Writes `prompt` to `out_fd`, then read_line(in_fd, ...). Hidden input gets its newline
// echoed after the answer.
LineInput ask(int in_fd, int out_fd, const std::string& prompt, size_t max_bytes, bool echo = true);

}  // namespace chaos
