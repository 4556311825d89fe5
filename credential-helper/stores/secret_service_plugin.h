/* The C table between squadcast-credential and squadcast-secretservice.so. The helper
 * dlopen()s the plugin only when the Secret Service backend is used, so the helper
 * itself never links libsecret or glib. Strings returned by the plugin are freed with
 * free_string (which wipes them first). */
#ifndef SQUADCAST_SECRET_SERVICE_PLUGIN_H
#define SQUADCAST_SECRET_SERVICE_PLUGIN_H

#ifdef __cplusplus
extern "C" {
#endif

#define SQUADCAST_SECRET_SERVICE_ABI 1
#define SQUADCAST_SECRET_SERVICE_TABLE_SYMBOL "squadcast_secret_service_table"

enum squadcast_ss_result {
  SQUADCAST_SS_OK = 0,
  SQUADCAST_SS_NOT_FOUND = 1,
  SQUADCAST_SS_ERROR = 2,
};

struct squadcast_secret_service_table {
  int abi_version;
  /* Connects and opens a session; fails when no Secret Service answers in timeout_ms. */
  int (*ping)(int timeout_ms, char** error);
  /* Replaces the item of `profile`. */
  int (*store)(const char* profile, const char* auth_url, const char* email, const char* secret,
               char** error);
  /* The item of `profile`: secret, auth_url and email attributes. */
  int (*lookup)(const char* profile, char** secret, char** auth_url, char** email, char** error);
  int (*clear)(const char* profile, char** error);
  /* Profiles that have an item, one per line. */
  int (*list)(char** profiles, char** error);
  void (*free_string)(char* s);
};

typedef const struct squadcast_secret_service_table* (*squadcast_secret_service_table_fn)(void);

#ifdef __cplusplus
}
#endif

#endif
