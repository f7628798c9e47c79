# Every third-party dependency is found here, once. scripts/bootstrap installs them.
find_package(Threads REQUIRED)
find_package(yaml-cpp 0.7 REQUIRED CONFIG)
if(TARGET yaml-cpp::yaml-cpp)
  set(TRIAD_YAML_TARGET yaml-cpp::yaml-cpp)
else()
  set(TRIAD_YAML_TARGET yaml-cpp)
endif()
find_package(Poco 1.11 REQUIRED CONFIG COMPONENTS Foundation JSON)
# The scan store and triadd (issue 14). Debian's PocoDataSQLite links SQLite::SQLite3 without
# looking for it; CMake's FindSQLite3 defines that target, so it is found first.
find_package(SQLite3 REQUIRED)
find_package(Poco 1.11 REQUIRED CONFIG COMPONENTS Data DataSQLite Util Net)
find_package(doctest 2.4 REQUIRED CONFIG)

find_package(PkgConfig REQUIRED)
pkg_check_modules(PCRE2  REQUIRED IMPORTED_TARGET libpcre2-8)
pkg_check_modules(APTPKG REQUIRED IMPORTED_TARGET apt-pkg)
pkg_check_modules(LIBCAP REQUIRED IMPORTED_TARGET libcap)
# Libraries of optional collectors: looked for only when their option is on.
if(TRIAD_WITH_SELINUX)
  pkg_check_modules(SELINUX REQUIRED IMPORTED_TARGET libselinux)
endif()
if(TRIAD_WITH_ELF)
  pkg_check_modules(LIBELF REQUIRED IMPORTED_TARGET libelf)
endif()
