#ifndef CSECP256K1_SHIM_H
#define CSECP256K1_SHIM_H
#include <secp256k1.h>

/* Swift cannot import these as constants (they are built from other macros). */
static inline unsigned int csecp_context_none(void) { return SECP256K1_CONTEXT_NONE; }
static inline unsigned int csecp_ec_compressed(void) { return SECP256K1_EC_COMPRESSED; }
static inline unsigned int csecp_ec_uncompressed(void) { return SECP256K1_EC_UNCOMPRESSED; }

#endif
