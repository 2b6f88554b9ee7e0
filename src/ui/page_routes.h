// The web page at /ui/ (SPEC §10): notifications newest first, filterable by
// status; one notification with its vulnerability, affected layers and
// delivery attempts, and a Redeliver button; the feed sources. Server-
// rendered HTML from the binary; without JavaScript every list and action
// still works. With api.tokens, a login form opens a session (session.h):
// the lists need read, Redeliver needs admin, and every page POST must come
// from the page's own origin.
#pragma once

#include "api/authenticator.h"
#include "api/router.h"
#include "api/routes.h"

namespace herald::ui {

// `tls`: the API port speaks TLS (cookies are Secure, Origin is https).
// The context and the authenticator must outlive the router.
void AddPageRoutes(api::Router& router, api::ApiContext& ctx,
                   const api::Authenticator& authenticator, bool tls);

}  // namespace herald::ui
