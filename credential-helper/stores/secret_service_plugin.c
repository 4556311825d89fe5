/* squadcast-secretservice.so: refresh tokens in the Secret Service through libsecret.
 * Loaded by squadcast-credential only when this backend is in use, so that the helper's
 * hot path never initialises glib or D-Bus. */
#define _GNU_SOURCE
#include <string.h>

#include <libsecret/secret.h>

#include "secret_service_plugin.h"

#define EXPORT __attribute__((visibility("default")))

static const SecretSchema refresh_token_schema = {
    .name = "com.squadcast.RefreshToken",
    .flags = SECRET_SCHEMA_NONE,
    .attributes = {
        {"profile", SECRET_SCHEMA_ATTRIBUTE_STRING},
        {"auth_url", SECRET_SCHEMA_ATTRIBUTE_STRING},
        {"email", SECRET_SCHEMA_ATTRIBUTE_STRING},
        {NULL, 0},
    },
};

static int fail(GError* error, char** message) {
  if (message)
    *message = g_strdup(error && error->message ? error->message : "Secret Service error");
  g_clear_error(&error);
  return SQUADCAST_SS_ERROR;
}

static void free_string(char* s) {
  if (!s) return;
  explicit_bzero(s, strlen(s));
  g_free(s);
}

struct ping_state {
  SecretService* service;
  GError* error;
  gboolean done;
  GCancellable* cancellable;
};

static void on_service(GObject* source, GAsyncResult* result, gpointer data) {
  (void)source;
  struct ping_state* state = data;
  state->service = secret_service_get_finish(result, &state->error);
  state->done = TRUE;
}

static gboolean on_timeout(gpointer data) {
  g_cancellable_cancel(((struct ping_state*)data)->cancellable);
  return G_SOURCE_REMOVE;
}

static int ping(int timeout_ms, char** message) {
  struct ping_state state = {NULL, NULL, FALSE, g_cancellable_new()};
  GMainContext* context = g_main_context_new();
  g_main_context_push_thread_default(context);
  secret_service_get(SECRET_SERVICE_OPEN_SESSION, state.cancellable, on_service, &state);
  GSource* timer = g_timeout_source_new((guint)timeout_ms);
  g_source_set_callback(timer, on_timeout, &state, NULL);
  g_source_attach(timer, context);
  while (!state.done) g_main_context_iteration(context, TRUE);
  g_source_destroy(timer);
  g_source_unref(timer);
  g_main_context_pop_thread_default(context);
  g_main_context_unref(context);
  g_object_unref(state.cancellable);
  if (!state.service) {
    if (state.error && g_error_matches(state.error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      g_clear_error(&state.error);
      if (message) *message = g_strdup_printf("no answer within %d ms", timeout_ms);
      return SQUADCAST_SS_ERROR;
    }
    return fail(state.error, message);
  }
  g_object_unref(state.service);
  return SQUADCAST_SS_OK;
}

static int clear(const char* profile, char** message) {
  GError* error = NULL;
  /* Clears every item of the profile; "nothing to clear" is not an error. */
  gboolean removed = secret_password_clear_sync(&refresh_token_schema, NULL, &error, "profile", profile, NULL);
  if (error) return fail(error, message);
  return removed ? SQUADCAST_SS_OK : SQUADCAST_SS_NOT_FOUND;
}

static int store(const char* profile, const char* auth_url, const char* email, const char* secret,
                 char** message) {
  /* One item per profile, whatever its auth_url was before. */
  if (clear(profile, message) == SQUADCAST_SS_ERROR) return SQUADCAST_SS_ERROR;
  GError* error = NULL;
  gchar* label = g_strdup_printf("Squadcast refresh token (%s)", profile);
  gboolean ok = secret_password_store_sync(&refresh_token_schema, SECRET_COLLECTION_DEFAULT, label, secret,
                                           NULL, &error, "profile", profile, "auth_url", auth_url, "email",
                                           email, NULL);
  g_free(label);
  if (!ok) return fail(error, message);
  return SQUADCAST_SS_OK;
}

static GList* search(GHashTable* attributes, SecretSearchFlags flags, GError** error) {
  SecretService* service = secret_service_get_sync(SECRET_SERVICE_OPEN_SESSION, NULL, error);
  if (!service) return NULL;
  GList* items = secret_service_search_sync(service, &refresh_token_schema, attributes, flags, NULL, error);
  g_object_unref(service);
  return items;
}

static char* attribute(SecretItem* item, const char* name) {
  GHashTable* attributes = secret_item_get_attributes(item);
  const char* value = attributes ? g_hash_table_lookup(attributes, name) : NULL;
  char* copy = g_strdup(value ? value : "");
  if (attributes) g_hash_table_unref(attributes);
  return copy;
}

static int lookup(const char* profile, char** secret, char** auth_url, char** email, char** message) {
  GError* error = NULL;
  GHashTable* attributes = g_hash_table_new(g_str_hash, g_str_equal);
  g_hash_table_insert(attributes, (gpointer) "profile", (gpointer)profile);
  GList* items = search(attributes, SECRET_SEARCH_UNLOCK | SECRET_SEARCH_LOAD_SECRETS, &error);
  g_hash_table_unref(attributes);
  if (error) return fail(error, message);
  int result = SQUADCAST_SS_NOT_FOUND;
  if (items) {
    SecretItem* item = items->data;
    SecretValue* value = secret_item_get_secret(item);
    if (value) {
      *secret = g_strdup(secret_value_get_text(value));
      secret_value_unref(value);
      *auth_url = attribute(item, "auth_url");
      *email = attribute(item, "email");
      result = *secret ? SQUADCAST_SS_OK : SQUADCAST_SS_NOT_FOUND;
    }
  }
  g_list_free_full(items, g_object_unref);
  return result;
}

static int list(char** profiles, char** message) {
  GError* error = NULL;
  GHashTable* attributes = g_hash_table_new(g_str_hash, g_str_equal);
  GList* items = search(attributes, SECRET_SEARCH_ALL, &error);
  g_hash_table_unref(attributes);
  if (error) return fail(error, message);
  GString* out = g_string_new("");
  for (GList* l = items; l; l = l->next) {
    char* profile = attribute(l->data, "profile");
    if (*profile) g_string_append_printf(out, "%s\n", profile);
    g_free(profile);
  }
  g_list_free_full(items, g_object_unref);
  *profiles = g_string_free(out, FALSE);
  return SQUADCAST_SS_OK;
}

static const struct squadcast_secret_service_table table = {
    SQUADCAST_SECRET_SERVICE_ABI, ping, store, lookup, clear, list, free_string,
};

EXPORT const struct squadcast_secret_service_table* squadcast_secret_service_table(void) { return &table; }
