package dev.ocikit.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Follows {@code Link: <...>; rel="next"} through the pages of tag lists and catalogs. */
final class Pagination {
    private static final int MAX_PAGES = 100_000;

    interface PageConsumer {
        void accept(byte[] body) throws IOException;
    }

    private Pagination() {}

    static void follow(RegistryHttp http, RegistryHttp.Call first, long maxBody, String what, PageConsumer consumer)
            throws IOException {
        RegistryHttp.Call call = first;
        Set<String> seen = new HashSet<>();
        for (int page = 0; page < MAX_PAGES; page++) {
            HttpResponse<InputStream> r = http.send(call, 200);
            byte[] body;
            try (InputStream in = r.body()) {
                body = RegistryHttp.readCapped(in, maxBody, what);
            }
            consumer.accept(body);
            Optional<String> next = nextLink(r.headers().allValues("Link"));
            if (next.isEmpty()) {
                return;
            }
            URI resolved = r.uri().resolve(next.get());
            if (!seen.add(resolved.toString())) {
                throw new RegistryException(what + ": the registry's next-page link repeats itself", 0, List.of());
            }
            String target = RegistryHttp.sameOrigin(resolved, r.uri())
                    ? resolved.getRawPath() + (resolved.getRawQuery() == null ? "" : "?" + resolved.getRawQuery())
                    : resolved.toString();
            call = call.at(target);
        }
        throw new RegistryException(what + ": more than " + MAX_PAGES + " pages", 0, List.of());
    }

    /** The target of the {@code rel="next"} link in these {@code Link} header values. */
    static Optional<String> nextLink(List<String> values) {
        for (String v : values) {
            for (String part : v.split(",(?=\\s*<)")) {
                int lt = part.indexOf('<');
                int gt = part.indexOf('>', lt + 1);
                if (lt < 0 || gt < 0) {
                    continue;
                }
                String params = part.substring(gt + 1).replace(" ", "").toLowerCase(java.util.Locale.ROOT);
                if (params.contains("rel=\"next\"") || params.contains("rel=next")) {
                    return Optional.of(part.substring(lt + 1, gt).trim());
                }
            }
        }
        return Optional.empty();
    }
}
