# HmnHttp.cmake - libmicrohttpd for `hmn serve` (HMN_WITH_HTTP = AUTO, ON, OFF).
#
# Found with pkg-config (libmicrohttpd >= 0.9.73), else by header and
# library name.  Without it hmn still builds with only a C compiler, make and
# cmake: `hmn serve` then says what to install, `hmn export` works.  Windows
# builds never use it.  Sets HMN_HAVE_MICROHTTPD and defines
# hmn_link_http(target): the compile definition, include path and libraries
# (plus the thread library the collector needs on POSIX).
include_guard(GLOBAL)

set(HMN_HAVE_MICROHTTPD OFF)
if(NOT HMN_WITH_HTTP MATCHES "^(AUTO|ON|OFF)$")
  message(FATAL_ERROR "HMN_WITH_HTTP must be AUTO, ON or OFF (got '${HMN_WITH_HTTP}')")
endif()
if(NOT HMN_WITH_HTTP STREQUAL "OFF" AND NOT WIN32)
  find_package(PkgConfig QUIET)
  if(PKG_CONFIG_FOUND)
    pkg_check_modules(HMN_MHD QUIET IMPORTED_TARGET libmicrohttpd>=0.9.73)
  endif()
  if(HMN_MHD_FOUND)
    set(HMN_HAVE_MICROHTTPD ON)
    add_library(hmn_microhttpd INTERFACE)
    target_link_libraries(hmn_microhttpd INTERFACE PkgConfig::HMN_MHD)
  else()
    find_path(HMN_MHD_INCLUDE microhttpd.h)
    find_library(HMN_MHD_LIBRARY microhttpd)
    if(HMN_MHD_INCLUDE AND HMN_MHD_LIBRARY)
      file(STRINGS ${HMN_MHD_INCLUDE}/microhttpd.h _hmn_mhd_ver REGEX "^#define MHD_VERSION 0x")
      string(REGEX REPLACE ".*0x([0-9A-Fa-f]+).*" "\\1" _hmn_mhd_ver "${_hmn_mhd_ver}")
      if(_hmn_mhd_ver STRGREATER_EQUAL "00097300")
        set(HMN_HAVE_MICROHTTPD ON)
        add_library(hmn_microhttpd INTERFACE)
        target_include_directories(hmn_microhttpd INTERFACE ${HMN_MHD_INCLUDE})
        target_link_libraries(hmn_microhttpd INTERFACE ${HMN_MHD_LIBRARY})
      endif()
    endif()
  endif()
endif()
if(HMN_WITH_HTTP STREQUAL "ON" AND NOT HMN_HAVE_MICROHTTPD)
  message(FATAL_ERROR "HMN_WITH_HTTP=ON but libmicrohttpd >= 0.9.73 was not found "
                      "(Debian/Ubuntu: apt-get install libmicrohttpd-dev pkg-config)")
endif()
if(HMN_HAVE_MICROHTTPD)
  message(STATUS "hmn serve: HTTP through libmicrohttpd")
elseif(NOT WIN32)
  message(STATUS "hmn serve: libmicrohttpd not found or HMN_WITH_HTTP=OFF; `hmn serve` will "
                 "say what to install, `hmn export` works")
endif()

if(NOT WIN32)
  find_package(Threads REQUIRED)
endif()

function(hmn_link_http target)
  if(HMN_HAVE_MICROHTTPD)
    target_compile_definitions(${target} PRIVATE HMN_HAVE_MICROHTTPD=1)
    target_link_libraries(${target} PRIVATE hmn_microhttpd)
  endif()
  if(NOT WIN32)
    target_link_libraries(${target} PRIVATE Threads::Threads)
  endif()
endfunction()
