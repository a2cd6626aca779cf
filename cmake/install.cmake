# `cmake --install` puts the libraries, their headers and a CMake package in
# place: find_package(caf-socketio) then gives the target sio::sio, which
# carries the include folders and every dependency.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

add_library(sio INTERFACE)
add_library(sio::sio ALIAS sio)
target_link_libraries(sio INTERFACE sio::gateway)

set_target_properties(sio_protocol PROPERTIES EXPORT_NAME protocol)
set_target_properties(sio_actors PROPERTIES EXPORT_NAME actors)
set_target_properties(sio_gateway PROPERTIES EXPORT_NAME gateway)

set(sio_package_dir "${CMAKE_INSTALL_LIBDIR}/cmake/caf-socketio")
install(TARGETS sio sio_protocol sio_actors sio_gateway EXPORT caf-socketio-targets
        ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
        LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}"
        INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
foreach(layer protocol actors gateway)
  install(DIRECTORY "${PROJECT_SOURCE_DIR}/${layer}/include/"
          DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
endforeach()
install(EXPORT caf-socketio-targets NAMESPACE sio:: FILE caf-socketioTargets.cmake
        DESTINATION "${sio_package_dir}")

configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/caf-socketioConfig.cmake.in"
                              "${PROJECT_BINARY_DIR}/caf-socketioConfig.cmake"
                              INSTALL_DESTINATION "${sio_package_dir}")
write_basic_package_version_file("${PROJECT_BINARY_DIR}/caf-socketioConfigVersion.cmake"
                                 COMPATIBILITY SameMinorVersion)
# Debian's CAF has no CMake package; the one this project finds it with goes along.
install(FILES "${PROJECT_BINARY_DIR}/caf-socketioConfig.cmake"
              "${PROJECT_BINARY_DIR}/caf-socketioConfigVersion.cmake"
              "${PROJECT_SOURCE_DIR}/cmake/FindCAF.cmake"
        DESTINATION "${sio_package_dir}")
