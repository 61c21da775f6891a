// Includes a db/ header: compiles where db/ may be seen, and must not compile
// as part of pages/ (tests/boundary/CMakeLists.txt).
#include "db/sqlite.h"

int BoundaryProbe() { return sizeof(shiori::db::OpenOptions) > 0 ? 1 : 0; }
