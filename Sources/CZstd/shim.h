#ifndef WATTLINE_CZSTD_SHIM_H
#define WATTLINE_CZSTD_SHIM_H
#include <zstd.h>
#endif
