# Run at build time with the freshly built binary (cmake -P): writes the shell completion
# scripts and the man page from what the binary itself prints, so neither is kept by hand and
# neither can drift from the command table.
#   -DCHAOS=<binary> -DOUT_DIR=<dir> -DVERSION=<x.y.z>
# The binary runs with a scratch HOME and CHAOS_* directories under OUT_DIR and no colour, so
# nothing of the build machine's user leaks in.
set(scratch "${OUT_DIR}/scratch")
file(MAKE_DIRECTORY "${scratch}")
set(ENV{HOME} "${scratch}")
set(ENV{NO_COLOR} "1")
set(ENV{COLUMNS} "100")
foreach(var CHAOS_CONFIG_DIR CHAOS_CACHE_DIR CHAOS_PLUGIN_DIR CHAOS_PYTHON CHAOS_DEV_PATH
            XDG_CONFIG_HOME XDG_CACHE_HOME XDG_STATE_HOME XDG_DATA_HOME)
  unset(ENV{${var}})
endforeach()

function(chaos_output out_var)
  execute_process(COMMAND "${CHAOS}" ${ARGN} OUTPUT_VARIABLE text ERROR_VARIABLE text
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "`chaos ${ARGN}` failed (${rc}):\n${text}")
  endif()
  set(${out_var} "${text}" PARENT_SCOPE)
endfunction()

foreach(shell bash zsh fish)
  chaos_output(script completion ${shell})
  file(WRITE "${OUT_DIR}/chaos.${shell}" "${script}")
endforeach()

# roff: a backslash is written \e, and a line starting with . or ' would be a request.
function(roff_block out_var text)
  string(REPLACE "\\" "\\e" text "${text}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  set(${out_var} ".nf\n${text}\n.fi\n" PARENT_SCOPE)
endfunction()

chaos_output(top --help)
# The command names are the lines of the "Subcommands:" section of the top-level help.
string(REGEX MATCH "Subcommands:\n([^\n]+\n)+" section "${top}")
string(REGEX MATCHALL "\n  [a-z][a-z-]*" names "${section}")
string(TIMESTAMP today "%Y-%m-%d" UTC)  # honours SOURCE_DATE_EPOCH for reproducible builds
set(man ".TH CHAOS 1 \"${today}\" \"chaos ${VERSION}\" \"User Commands\"\n")
string(APPEND man ".SH NAME\nchaos \\- declarative Linux system management with Ch-aOS plugins\n")
string(APPEND man ".SH SYNOPSIS\n.B chaos\n[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]\n")
roff_block(block "${top}")
string(APPEND man ".SH DESCRIPTION\n${block}.SH COMMANDS\n")
foreach(name ${names})
  string(STRIP "${name}" name)
  chaos_output(help_text help ${name})
  roff_block(block "${help_text}")
  string(APPEND man ".SS chaos ${name}\n${block}")
endforeach()
string(APPEND man ".SH SEE ALSO\n.BR pyinfra (1),\n.BR sops (1)\n")
file(WRITE "${OUT_DIR}/chaos.1" "${man}")
file(REMOVE_RECURSE "${scratch}")
