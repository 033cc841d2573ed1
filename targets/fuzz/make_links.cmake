# cmake -DFUZZER=<path of ipcrace_fuzzer> -DSRC=<targets/fuzz> -P make_links.cmake
# One <name>_fuzzer symlink per target the fuzzer lists, plus the parser
# fuzzers; copies <name>_fuzzer.dict / .options found in SRC next to them
# (a target without its own .options gets max_len 128, len_control 0).
get_filename_component(dir ${FUZZER} DIRECTORY)
get_filename_component(exe ${FUZZER} NAME)
execute_process(COMMAND ${FUZZER} --list OUTPUT_VARIABLE names RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${FUZZER} --list failed (${rc})")
endif()
string(REPLACE "\n" ";" names "${names}")
list(APPEND names schedule_parser crash_decoder)
set(n 0)
foreach(name IN LISTS names)
  if(name STREQUAL "")
    continue()
  endif()
  file(CREATE_LINK ${exe} ${dir}/${name}_fuzzer SYMBOLIC)
  foreach(ext dict options)
    if(EXISTS ${SRC}/${name}_fuzzer.${ext})
      configure_file(${SRC}/${name}_fuzzer.${ext} ${dir}/${name}_fuzzer.${ext} COPYONLY)
    endif()
  endforeach()
  if(NOT EXISTS ${SRC}/${name}_fuzzer.options AND NOT name MATCHES "^(schedule_parser|crash_decoder)$")
    # Decisions are bytes at the front of the input: let inputs be long from the start.
    file(WRITE ${dir}/${name}_fuzzer.options "[libfuzzer]\nmax_len = 128\nlen_control = 0\n")
  endif()
  if(NOT EXISTS ${SRC}/${name}_fuzzer.dict AND NOT name MATCHES "^(schedule_parser|crash_decoder)$")
    # Every decision byte indexes the enabled set: runs of one actor (no
    # preemption) and strict alternations are the useful building blocks.
    configure_file(${SRC}/decisions.dict ${dir}/${name}_fuzzer.dict COPYONLY)
  endif()
  math(EXPR n "${n} + 1")
endforeach()
message(STATUS "ipcrace: ${n} fuzzers linked to ${exe}")
