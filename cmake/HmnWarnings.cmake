# hmn_warnings: one INTERFACE target carrying the project's warning set.
add_library(hmn_warnings INTERFACE)
if(CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_options(hmn_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes
    -Wcast-qual -Wformat=2 -Wundef -Wwrite-strings -Wvla -Wimplicit-fallthrough
    -Wpointer-arith -Wold-style-definition)
  if(HMN_WERROR)
    target_compile_options(hmn_warnings INTERFACE -Werror)
  endif()
elseif(MSVC)
  target_compile_options(hmn_warnings INTERFACE /W4 $<$<BOOL:${HMN_WERROR}>:/WX>)
endif()
