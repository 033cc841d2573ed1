# ipcrace_add_target(<name> SOURCES <files...> [LIBRARIES <libs...>])
#
# Registers a mechanism's scenario sources (files that use IPCRACE_TARGET).
# Every registered source is linked into the `ipcrace` command, the test
# suite (property tests, gate) and, in the fuzz preset, a <target>_fuzzer.
# Works from any directory added with add_subdirectory(), in or out of tree.
define_property(GLOBAL PROPERTY IPCRACE_TARGET_LIBS
  BRIEF_DOCS "object libraries holding registered ipcrace targets"
  FULL_DOCS "filled by ipcrace_add_target")

function(ipcrace_add_target name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "ipcrace_add_target(${name}): SOURCES is required")
  endif()
  set(lib ipcrace_target_${name})
  add_library(${lib} OBJECT ${ARG_SOURCES})
  target_link_libraries(${lib} PUBLIC ipcrace_harness ${ARG_LIBRARIES})
  target_include_directories(${lib} PUBLIC ${PROJECT_SOURCE_DIR}/mechanisms)
  target_compile_options(${lib} PRIVATE -Wall -Wextra)
  set_property(GLOBAL APPEND PROPERTY IPCRACE_TARGET_LIBS ${lib})
endfunction()

# Link every registered target into an executable. Linking an OBJECT library
# adds its object files, so the static registrars are never dropped.
function(ipcrace_link_targets exe)
  get_property(libs GLOBAL PROPERTY IPCRACE_TARGET_LIBS)
  foreach(lib IN LISTS libs)
    target_link_libraries(${exe} PRIVATE ${lib})
  endforeach()
endfunction()

# ipcrace_add_program(<name> SOURCES <files...> EXPECT finding|clean
#                     [ARGS <args...>] [DEFINES <defs...>] [OPTIONS <flags...>]
#                     [EXPECT_EXIT <status>] [FAIL_ON <regex>] [PRELOAD])
#
# An unmodified C or C++ program (no ipcrace include) as a target: built with
# ipcrace-cc / ipcrace-c++ (ThreadSanitizer instrumentation, libipcrace_rt),
# or, with PRELOAD, uninstrumented and run with the runtime in LD_PRELOAD. It
# becomes a target of list, run, gate, the properties and the fuzz build
# through the program manifest every ipcrace binary reads. DEFINES FIXED
# builds a program's fixed twin.
define_property(GLOBAL PROPERTY IPCRACE_PROGRAM_LINES
  BRIEF_DOCS "manifest lines of ipcrace_add_program" FULL_DOCS "see ipcrace_add_program")

function(ipcrace_add_program name)
  cmake_parse_arguments(ARG "PRELOAD" "EXPECT;EXPECT_EXIT;FAIL_ON" "SOURCES;ARGS;DEFINES;OPTIONS" ${ARGN})
  if(NOT ARG_SOURCES OR NOT ARG_EXPECT MATCHES "^(finding|clean)$")
    message(FATAL_ERROR "ipcrace_add_program(${name}): SOURCES and EXPECT finding|clean are required")
  endif()
  if(NOT DEFINED ARG_EXPECT_EXIT)
    set(ARG_EXPECT_EXIT 0)
  endif()
  set(cc ${IPCRACE_WRAPPER_DIR}/ipcrace-cc)
  set(srcs)
  foreach(s IN LISTS ARG_SOURCES)
    get_filename_component(abs "${s}" ABSOLUTE)
    list(APPEND srcs ${abs})
    if(abs MATCHES "\\.(cpp|cc|cxx)$")
      set(cc ${IPCRACE_WRAPPER_DIR}/ipcrace-c++)
    endif()
  endforeach()
  set(defs)
  foreach(d IN LISTS ARG_DEFINES)
    list(APPEND defs -D${d})
  endforeach()
  set(out ${CMAKE_CURRENT_BINARY_DIR}/ipcrace-programs/${name})
  if(ARG_PRELOAD)  # an ordinary build: the runtime comes in with LD_PRELOAD
    if(cc MATCHES "c\\+\\+$")
      set(compiler clang++-14)
    else()
      set(compiler clang-14)
    endif()
    set(cmd ${compiler} -O1 -g ${defs} ${ARG_OPTIONS} -o ${out} ${srcs} -lpthread -lrt)
    set(deps ipcrace_rt_preload)
  else()
    set(cmd ${cc} -O1 -g ${defs} ${ARG_OPTIONS} -o ${out} ${srcs} -lrt)
    set(deps ipcrace_rt)
  endif()
  add_custom_command(OUTPUT ${out} COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/ipcrace-programs
    COMMAND ${cmd} DEPENDS ${srcs} ${deps} COMMENT "ipcrace program ${name}" VERBATIM)
  string(MAKE_C_IDENTIFIER "${name}" id)
  add_custom_target(ipcrace_program_${id} ALL DEPENDS ${out})
  set_property(GLOBAL APPEND PROPERTY IPCRACE_PROGRAM_TARGETS ipcrace_program_${id})
  if(ARG_PRELOAD)
    set(pre 1)
  else()
    set(pre 0)
  endif()
  list(GET srcs 0 src0)
  file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${src0})
  set(line "${name}\t${ARG_EXPECT}\t${ARG_EXPECT_EXIT}\t${ARG_FAIL_ON}\t${pre}\t${rel}\t${out}")
  foreach(a IN LISTS ARG_ARGS)
    string(APPEND line "\t${a}")
  endforeach()
  set_property(GLOBAL APPEND PROPERTY IPCRACE_PROGRAM_LINES "${line}")
endfunction()

# Writes the manifest of every ipcrace_add_program (call once, at the end).
function(ipcrace_write_program_manifest path)
  get_property(lines GLOBAL PROPERTY IPCRACE_PROGRAM_LINES)
  string(REPLACE ";" "\n" content "${lines}")
  file(GENERATE OUTPUT ${path} CONTENT "# ipcrace program manifest (ipcrace_add_program)\n${content}\n")
endfunction()
