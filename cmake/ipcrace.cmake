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
