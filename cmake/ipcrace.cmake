# ipcrace_add_target(<name> SOURCES <files...> [LIBRARIES <libs...>])
#
# Registers a mechanism's scenario sources (files that use IPCRACE_TARGET).
# Every registered source is linked into the `ipcrace` command, the test
# suite (property tests, gate) and, in the fuzz preset, a <target>_fuzzer.
# Works from any directory added with add_subdirectory(), in or out of tree.
# In a project that uses the installed package (find_package(ipcrace CONFIG)),
# the targets are linked into that project's own command, `ipcrace` in its
# top build folder (the installed command's code and main() plus these targets).
#
# The same functions serve the source tree and the installed package; these
# name what they link (the package config sets them to the imported targets).
if(NOT DEFINED IPCRACE_HARNESS_LIB)
  set(IPCRACE_HARNESS_LIB ipcrace_harness)
  set(IPCRACE_MECHANISMS_LIB ipcrace_mechanisms)
  set(IPCRACE_RT_LIB_TARGET ipcrace_rt)
  set(IPCRACE_RT_PRELOAD_TARGET ipcrace_rt_preload)
endif()
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
  target_link_libraries(${lib} PUBLIC ${IPCRACE_HARNESS_LIB} ${IPCRACE_MECHANISMS_LIB} ${ARG_LIBRARIES})
  target_compile_options(${lib} PRIVATE -Wall -Wextra)
  set_property(GLOBAL APPEND PROPERTY IPCRACE_TARGET_LIBS ${lib})
  if(IPCRACE_PACKAGE)  # a user's project: its own command links its targets
    if(NOT TARGET ipcrace_command)
      file(WRITE ${CMAKE_BINARY_DIR}/ipcrace_command.cpp
           "// The ipcrace command of this project: main() and the command are in libipcrace_main/libipcrace_cli.\n")
      add_executable(ipcrace_command ${CMAKE_BINARY_DIR}/ipcrace_command.cpp)
      set_target_properties(ipcrace_command PROPERTIES OUTPUT_NAME ipcrace RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
      target_link_libraries(ipcrace_command PRIVATE ipcrace::main)
    endif()
    target_link_libraries(ipcrace_command PRIVATE ${lib})
  endif()
endfunction()

# ipcrace_instrument(<target>)
#
# Builds an executable of the user's own (C or C++, clang) the way ipcrace-cc
# does: ThreadSanitizer instrumentation, linked against libipcrace_rt instead
# of TSan's runtime, so that `ipcrace exec -- <it>` schedules its shared
# accesses and interposed calls. One line in the user's build.
function(ipcrace_instrument tgt)
  get_target_property(type ${tgt} TYPE)
  if(NOT type STREQUAL "EXECUTABLE")
    message(FATAL_ERROR "ipcrace_instrument(${tgt}): not an executable (instrument the program that runs under ipcrace exec)")
  endif()
  foreach(lang C CXX)
    if(CMAKE_${lang}_COMPILER_LOADED AND NOT CMAKE_${lang}_COMPILER_ID MATCHES "Clang")
      message(FATAL_ERROR "ipcrace_instrument(${tgt}): needs clang (CMAKE_${lang}_COMPILER is ${CMAKE_${lang}_COMPILER_ID}); "
                          "configure with -DCMAKE_${lang}_COMPILER=clang-14 or clang++-14")
    endif()
  endforeach()
  # The runtime is compiled C++ but needs no libstdc++: a C program links as
  # C (as ipcrace-cc does), not with the C++ driver its archive would pick.
  get_target_property(srcs ${tgt} SOURCES)
  set(cxx OFF)
  foreach(s IN LISTS srcs)
    if(s MATCHES "\\.(cpp|cc|cxx|C)$")
      set(cxx ON)
    endif()
  endforeach()
  if(NOT cxx)
    set_target_properties(${tgt} PROPERTIES LINKER_LANGUAGE C)
  endif()
  # Volatile accesses told apart (__tsan_volatile_*): a volatile flag in a
  # thread's own frame that other threads set is shared, not private.
  target_compile_options(${tgt} PRIVATE -fsanitize=thread "SHELL:-mllvm -tsan-distinguish-volatile=1" -g)
  target_link_options(${tgt} PRIVATE -fsanitize=thread -fno-sanitize-link-runtime)
  target_link_libraries(${tgt} PRIVATE "$<LINK_LIBRARY:WHOLE_ARCHIVE,${IPCRACE_RT_LIB_TARGET}>" ${CMAKE_DL_LIBS} pthread)
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
#                     [EXPECT_EXIT <status>] [FAIL_ON <regex>] [PRELOAD]
#                     [MAY_DIE <actors: 1,2 or children>])
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
  cmake_parse_arguments(ARG "PRELOAD" "EXPECT;EXPECT_EXIT;FAIL_ON;MAY_DIE" "SOURCES;ARGS;DEFINES;OPTIONS" ${ARGN})
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
    set(deps ${IPCRACE_RT_PRELOAD_TARGET})
  else()
    set(cmd ${cc} -O1 -g ${defs} ${ARG_OPTIONS} -o ${out} ${srcs} -lrt)
    set(deps ${IPCRACE_RT_LIB_TARGET})
  endif()
  if(IPCRACE_PACKAGE)  # imported targets: depend on their files
    set(deps $<TARGET_FILE:${deps}>)
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
  if(DEFINED ARG_MAY_DIE)  # actors whose death is expected: "1,2" or "children"
    set(pre "${pre}+may-die=${ARG_MAY_DIE}")  # no ";": the line goes into a CMake list
  endif()
  list(GET srcs 0 src0)
  file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${src0})
  if(IPCRACE_PACKAGE)  # the manifest is written at the end of the user's configure
    get_property(deferred GLOBAL PROPERTY IPCRACE_MANIFEST_DEFERRED)
    if(NOT deferred)
      set_property(GLOBAL PROPERTY IPCRACE_MANIFEST_DEFERRED 1)
      cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL ipcrace_write_program_manifest
                     ${CMAKE_BINARY_DIR}/ipcrace-programs.manifest)
    endif()
  endif()
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
