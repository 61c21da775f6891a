// The demo catalogue, db/demo/catalog.tsv, embedded in the program at build time.
#ifndef SHIORI_DB_DEMO_CATALOG_H_
#define SHIORI_DB_DEMO_CATALOG_H_
#include <cstddef>
extern const char kDemoCatalogTsv[];      // NUL-terminated copy of the file
extern const size_t kDemoCatalogTsvSize;  // its size without the NUL
#endif                                    // SHIORI_DB_DEMO_CATALOG_H_
