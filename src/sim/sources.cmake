# plexsim's request handling: every source but the libmicrohttpd glue
# (server.c, main.c). plexsim compiles them, and so does the `sim` fuzz target
# (fuzz/CMakeLists.txt), so a new file is listed once, here.
set(PLEXSIM_HANDLER_SOURCES
  route.c
  state.c
  fault.c
  png.c
  qr.c
  tv/routes.c
  tv/render.c
  tv/account.c
  tv/jwt.c
  tv/discover.c
  pms/pms.c
  pms/library.c
  pms/overlay.c
  pms/render.c
  pms/query.c
  pms/system.c
  pms/browse.c
  pms/hubs.c
  pms/media.c
  pms/playback.c
  pms/transcode.c
  pms/playqueues.c
  pms/playlists.c
  pms/collections.c
  pms/edit.c
  pms/events.c
  pms/admin.c
)
list(TRANSFORM PLEXSIM_HANDLER_SOURCES PREPEND ${CMAKE_CURRENT_LIST_DIR}/)
