# `cmake --install <build> --prefix P`: the command, the runtime (static and
# shared), the compiler wrappers (relocatable: they find the runtime beside
# themselves), the public headers, the mechanisms' headers, the libraries a
# user's ipcrace_add_target() command links, and the CMake package
# (find_package(ipcrace CONFIG): ipcrace_instrument, ipcrace_add_target,
# ipcrace_add_program). tests/install/install_test.sh checks all of it.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)
set(IPCRACE_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/ipcrace)

# Usage requirements of the installed libraries (the build tree's point into
# the source tree).
target_include_directories(ipcrace_harness INTERFACE $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
target_include_directories(ipcrace_mechanisms INTERFACE $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/ipcrace/mechanisms>)
set_target_properties(ipcrace_harness PROPERTIES EXPORT_NAME harness)
set_target_properties(ipcrace_mechanisms PROPERTIES EXPORT_NAME mechanisms)
set_target_properties(ipcrace_cli PROPERTIES EXPORT_NAME cli)
set_target_properties(ipcrace_main PROPERTIES EXPORT_NAME main)
set_target_properties(ipcrace_rt PROPERTIES EXPORT_NAME rt)
set_target_properties(ipcrace_rt_preload PROPERTIES EXPORT_NAME rt_preload)

install(TARGETS ipcrace RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS ipcrace_harness ipcrace_mechanisms ipcrace_cli ipcrace_main ipcrace_rt ipcrace_rt_preload
        EXPORT ipcraceTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(EXPORT ipcraceTargets NAMESPACE ipcrace:: DESTINATION ${IPCRACE_INSTALL_CMAKEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/harness/include/ipcrace DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/mechanisms/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/ipcrace/mechanisms
        FILES_MATCHING PATTERN "*.hpp")

# The wrappers, installed: the runtime is found relative to the wrapper.
include(wrappers)
file(RELATIVE_PATH rel /${CMAKE_INSTALL_BINDIR} /${CMAKE_INSTALL_LIBDIR}/libipcrace_rt.a)
foreach(w cc c++)
  ipcrace_configure_wrapper(${w} "$(dirname \"$0\")/${rel}" ${PROJECT_BINARY_DIR}/install/ipcrace-${w})
  install(PROGRAMS ${PROJECT_BINARY_DIR}/install/ipcrace-${w} DESTINATION ${CMAKE_INSTALL_BINDIR})
endforeach()

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/ipcraceConfig.cmake.in
  ${PROJECT_BINARY_DIR}/install/ipcraceConfig.cmake INSTALL_DESTINATION ${IPCRACE_INSTALL_CMAKEDIR}
  PATH_VARS CMAKE_INSTALL_BINDIR)
install(FILES ${PROJECT_BINARY_DIR}/install/ipcraceConfig.cmake ${PROJECT_SOURCE_DIR}/cmake/ipcrace.cmake
        DESTINATION ${IPCRACE_INSTALL_CMAKEDIR})

# `ipcrace exec --preload` finds the installed libipcrace_rt.so relative to the command.
set_property(SOURCE src/exec/exec_backend.cpp DIRECTORY ${PROJECT_SOURCE_DIR}/harness APPEND PROPERTY
             COMPILE_DEFINITIONS IPCRACE_INSTALL_LIBDIR="${CMAKE_INSTALL_LIBDIR}")
