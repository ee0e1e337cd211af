/*
 * libplex: common definitions shared by every public header.
 */
#ifndef PLEX_COMMON_H
#define PLEX_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
#define PLEX_BEGIN_DECL extern "C" {
#define PLEX_END_DECL }
#else
#define PLEX_BEGIN_DECL
#define PLEX_END_DECL
#endif

/** Marks a function as part of the public, exported API. */
#if defined(_WIN32) && defined(PLEX_SHARED_BUILD)
#define PLEX_API __declspec(dllexport)
#elif defined(__GNUC__) && __GNUC__ >= 4
#define PLEX_API __attribute__((visibility("default")))
#else
#define PLEX_API
#endif

PLEX_BEGIN_DECL

/**
 * Free memory that the library handed to the caller as a plain buffer
 * (`char **out` parameters such as plex_pin_to_json() or a saved token).
 *
 * @param ptr  the buffer; NULL does nothing.
 */
PLEX_API void plex_free(void *ptr);

/**
 * The version of the library that is running, as "MAJOR.MINOR.PATCH".
 *
 * Compare it with PLEX_VERSION_STRING from <plex/version.h> to detect a
 * program built against other headers.
 *
 * @return a static string, never NULL.
 */
PLEX_API const char *plex_version(void);

/**
 * Prepare the process for libplex: call once, before starting threads and
 * before creating the first client. It initialises libcurl.
 *
 * @return 0, or PLEX_ERROR if the HTTP library could not be initialised.
 */
PLEX_API int plex_global_init(void);

/** Undo plex_global_init(); call once, after the last client was freed. */
PLEX_API void plex_global_cleanup(void);

PLEX_END_DECL

#endif
