# Writes a C++ file holding the bytes of INPUT as a char array named NAME.
# Usage: cmake -DINPUT=... -DOUTPUT=... -DNAME=... -P embed.cmake
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hexlen)
math(EXPR size "${hexlen} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," body "${hex}")
string(REGEX REPLACE "(('\\\\x[0-9a-f][0-9a-f]',){32})" "\\1\n" body "${body}")
file(WRITE "${OUTPUT}" "// Generated from ${INPUT} by db/embed.cmake; do not edit.\n#include <cstddef>\nextern const char ${NAME}[];\nextern const size_t ${NAME}Size;\nconst char ${NAME}[] = {\n${body}'\\0'};\nconst size_t ${NAME}Size = ${size};\n")
