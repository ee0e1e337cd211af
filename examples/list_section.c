/*
 * list_section: sign in (or take a token), pick a media server from the
 * account's resources, and list one library section with a listing: page by
 * page, one item at a time, whatever the section's size.
 *
 *   list_section [--plex-url URL] [--token TOKEN] [--server NAME] [SECTION]
 *
 * Without a token (--token or PLEX_TOKEN) it signs in with a PIN: open the
 * link it prints and type the code. SECTION is a key ("1") or a title
 * ("Movies"); the first section by default. --plex-url points at another
 * plex.tv (plexsim: http://127.0.0.1:PORT). Keep PLEX_CLIENT_ID set to the
 * same value between runs: a real client stores its identifier forever.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <plex/plex.h>

static const char *arg_after(int argc, char **argv, const char *name)
{
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return NULL;
}

static const char *positional(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "--", 2) == 0)
            i++; /* skip its value */
        else
            return argv[i];
    }
    return NULL;
}

/* The server to use: the one named, else the first owned one. */
static const plex_resource *pick(const plex_resources *all, const char *name)
{
    const plex_resource *owned = NULL;

    for (size_t i = 0; i < plex_resources_count(all); i++) {
        const plex_resource *r = plex_resources_at(all, i);
        if (!r->provides || !strstr(r->provides, "server"))
            continue;
        if (name && ((r->name && strcmp(r->name, name) == 0) ||
                     (r->client_identifier && strcmp(r->client_identifier, name) == 0)))
            return r;
        if (!name && !owned && r->owned == PLEX_TRUE)
            owned = r;
    }
    return owned;
}

static int fail(const char *what, const plex_error *e)
{
    fprintf(stderr, "list_section: %s: %s\n", what, e && e->message[0] ? e->message : "failed");
    return 1;
}

int main(int argc, char **argv)
{
    plex_client_options o = PLEX_CLIENT_OPTIONS_INIT;
    const char *token = arg_after(argc, argv, "--token");
    const char *want = positional(argc, argv);
    plex_client *client = NULL;
    plex_resources *resources = NULL;
    plex_server *server = NULL;
    plex_container *sections = NULL;
    plex_listing *items = NULL;
    const plex_directory *section;
    const plex_resource *res;
    const plex_metadata *m;
    char *signed_in = NULL;
    int rc, status = 1;

    if (!token)
        token = getenv("PLEX_TOKEN");
    o.client_identifier =
        getenv("PLEX_CLIENT_ID") ? getenv("PLEX_CLIENT_ID") : "libplex-example-list-section";
    o.product = "list_section";
    o.base_url = arg_after(argc, argv, "--plex-url");
    o.token = token;
    if (plex_global_init() != 0 || plex_client_new(&client, &o, NULL) != 0) {
        fprintf(stderr, "list_section: could not create a client\n");
        return 1;
    }
    if (!token) {
        if (plex_login_wait(&signed_in, client, NULL) != 0) {
            status = fail("sign-in", plex_client_last_error(client));
            goto done;
        }
        plex_client_set_token(client, signed_in);
    }
    if (plex_resources_get(&resources, client, 0) != 0) {
        status = fail("the account's servers", plex_client_last_error(client));
        goto done;
    }
    if (!(res = pick(resources, arg_after(argc, argv, "--server")))) {
        fprintf(stderr, "list_section: no such server on the account\n");
        goto done;
    }
    if (plex_server_connect(&server, NULL, client, res, NULL) != 0) {
        status = fail(res->name ? res->name : "the server", plex_client_last_error(client));
        goto done;
    }
    printf("server %s at %s\n", res->name ? res->name : "?", plex_server_url(server));
    if (plex_sections_get(&sections, server) != 0) {
        status = fail("sections", plex_server_last_error(server));
        goto done;
    }
    section =
        want ? plex_sections_find(sections, want) : plex_container_directories_at(sections, 0);
    if (!section || !section->key) {
        fprintf(stderr, "list_section: no section %s\n", want ? want : "at all");
        goto done;
    }
    if (plex_section_items(&items, server, section->key, NULL, NULL) != 0) {
        status = fail("listing", plex_server_last_error(server));
        goto done;
    }
    while ((rc = plex_listing_next(items, &m)) == 1)
        printf("%s\t%s (%d)\n", m->rating_key ? m->rating_key : "?", m->title ? m->title : "?",
               (int)m->year);
    if (rc != 0) {
        status = fail("listing", plex_listing_last_error(items));
        goto done;
    }
    printf("%zu of %lld items in %s%s\n", plex_listing_count(items), plex_listing_total(items),
           section->title ? section->title : section->key,
           plex_listing_changed(items) ? " (the section changed while it was listed)" : "");
    status = 0;
done:
    plex_listing_free(items);
    plex_container_free(sections);
    plex_server_free(server);
    plex_resources_free(resources);
    plex_free(signed_in);
    plex_client_free(client);
    plex_global_cleanup();
    return status;
}
