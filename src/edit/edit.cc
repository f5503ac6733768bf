#include "edit/edit.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <sstream>

#include "term/prompt.h"
#include "util/fs.h"
#include "util/process.h"
#include "util/signals.h"
#include "util/text.h"
#include "util/yaml_text.h"

namespace chaos {
namespace {

// $VISUAL, then $EDITOR, then vi; split on spaces so that `code -w` works. No shell: a file
// name is never interpreted.
std::vector<std::string> editor_command(const std::string& file) {
  std::string editor = env_or_empty("VISUAL");
  if (editor.empty()) editor = env_or_empty("EDITOR");
  if (editor.empty()) editor = "vi";
  std::vector<std::string> argv;
  std::istringstream words(editor);
  for (std::string w; words >> w;) argv.push_back(w);
  argv.push_back(file);
  return argv;
}

Status run_editor(const std::string& file) {
  auto argv = editor_command(file);
  ScopedSignalHandling signals;  // Ctrl-C belongs to the editor; chaos cleans up after it
  auto child = ChildProcess::spawn(argv, {}, /*search_path=*/true);
  if (!child)
    return Error("cannot start the editor `" + argv[0] + "`", {}, "set $EDITOR to an editor that is installed");
  ExitStatus status = child->wait();
  if (!status.exited_with(0)) return Error("the editor " + argv[0] + " failed (" + describe_exit(status) + ")");
  return {};
}

Result<std::string> chobolo_path(Context& ctx, const EditOptions& opts) {
  if (!opts.chobolo.empty()) return opts.chobolo;
  const auto& config = ctx.config();
  if (!config) return config.error();
  if (!config->chobolo_file || config->chobolo_file->empty())
    return Error("no Ch-obolo is configured to edit", {}, "pass -c FILE, or run `chaos set chobolo FILE`");
  return *config->chobolo_file;
}

}  // namespace

int run_edit(Context& ctx, const EditOptions& opts) {
  auto path = chobolo_path(ctx, opts);
  if (!path) return ctx.print_error(path.error()), kExitFailure;
  struct stat st {};
  if (::stat(path->c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    ctx.print_error(Error("cannot edit " + *path + ": not an existing regular file"));
    return kExitFailure;
  }
  auto original = read_regular_file(*path);
  if (!original) return ctx.print_error(original.error()), kExitFailure;
  // The edit happens on a copy beside the file: the Ch-obolo is replaced (atomically) only by a
  // text that parses, and a text that does not is never lost.
  auto copy = create_temp_beside(*path, st.st_mode & 07777);
  if (!copy) return ctx.print_error(copy.error()), kExitFailure;
  if (auto err = fill_temp_file(*copy, *original, copy->name)) return ctx.print_error(*err), kExitFailure;
  const bool interactive = ::isatty(STDIN_FILENO) && ::isatty(STDERR_FILENO);
  for (;;) {
    if (auto err = run_editor(copy->name)) {
      ::unlink(copy->name.c_str());
      return ctx.print_error(*err), kExitFailure;
    }
    auto edited = read_regular_file(copy->name);
    if (!edited) return ctx.print_error(edited.error()), kExitFailure;
    if (*edited == *original) {
      ::unlink(copy->name.c_str());
      std::fprintf(stderr, "No changes to %s.\n", path->c_str());
      return kExitOk;
    }
    auto parsed = parse_yaml(*edited, *path);
    if (parsed) break;
    ctx.print_error(parsed.error());
    if (interactive) {
      LineInput again = ask(STDIN_FILENO, STDERR_FILENO, "Edit again? [Y/n] ", 16);
      if (again.status == LineInput::Status::line &&
          (again.text.empty() || again.text[0] == 'y' || again.text[0] == 'Y'))
        continue;
    }
    ctx.print_error(Error(*path + " is unchanged; your edit is kept in " + copy->name));
    return kExitFailure;
  }
  if (::rename(copy->name.c_str(), path->c_str()) != 0) {
    ctx.print_error(Error("cannot replace " + *path + ": " + errno_text(), {}, "your edit is kept in " + copy->name));
    return kExitFailure;
  }
  std::fprintf(stderr, "Saved %s.\n", path->c_str());
  return kExitOk;
}

}  // namespace chaos
