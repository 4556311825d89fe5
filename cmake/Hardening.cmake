# Warnings and hardening flags applied to every target of the project.
add_compile_options(-Wall -Wextra -Wpedantic)
if(SQUADCAST_WERROR)
  add_compile_options(-Werror)
endif()
# GCC 12 at -O3 reports -Wrestrict on plain std::string concatenation (GCC bug 105651).
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  add_compile_options($<$<COMPILE_LANGUAGE:CXX>:-Wno-restrict>)
endif()

add_compile_options(-fstack-protector-strong -fno-strict-aliasing)
# _FORTIFY_SOURCE needs optimisation; sanitizer builds run at -O1 and keep it off.
# (tests/CMakeLists.txt removes it again for the unoptimised test code.)
set(SQUADCAST_FORTIFY "$<$<NOT:$<CONFIG:Debug>>:-D_FORTIFY_SOURCE=2>")
if(NOT SQUADCAST_SANITIZE)
  add_compile_options(${SQUADCAST_FORTIFY})
endif()
add_link_options(-Wl,-z,relro,-z,now -Wl,-z,noexecstack -Wl,--as-needed)
set(CMAKE_POSITION_INDEPENDENT_CODE ON)
include(CheckPIESupported)
check_pie_supported()

if(SQUADCAST_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
