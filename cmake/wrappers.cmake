# ipcrace_configure_wrapper(<cc|c++> <runtime library> <output file>): writes
# the ipcrace-cc or ipcrace-c++ compiler wrapper (cmake/ipcrace-cc.in), which
# instruments with clang-14 and links <runtime library> instead of TSan's.
# Used for the build tree's wrappers (harness/runtime) and the installed,
# relocatable ones (cmake/install.cmake).
function(ipcrace_configure_wrapper w rt_lib out)
  if(w STREQUAL cc)
    set(IPCRACE_WRAPPER_COMPILER clang-14)
  elseif(w STREQUAL c++)
    set(IPCRACE_WRAPPER_COMPILER clang++-14)
  else()
    message(FATAL_ERROR "ipcrace_configure_wrapper: cc or c++, not '${w}'")
  endif()
  set(IPCRACE_WRAPPER_NAME ipcrace-${w})
  set(IPCRACE_RT_LIB "${rt_lib}")
  configure_file(${PROJECT_SOURCE_DIR}/cmake/ipcrace-cc.in ${out} @ONLY)
endfunction()
