import StaticAssets

/// An in-memory manifest shared by the template-engine tests.
public enum SampleManifest {
    public static let appCSSIntegrity = "sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC"
    public static let appJSIntegrity = "sha384-H8BRh8j48O9oYatfu5AZzq6A9RINhZO5H16dQZngK7T62em8MUt1FLm52t+eX6xO"

    public static let manifest = Manifest(
        paths: [
            "css/app.css": "css/app.3f2a9c1b7d4e.css",
            "js/app.js": "js/app.5d41402abc4b.js",
            "img/my logo ü.png": "img/my logo ü.0123456789ab.png",
        ],
        hash: "8a1b2c3d4e5f",
        files: [
            "css/app.3f2a9c1b7d4e.css": ManifestEntry(size: 1200, integrity: appCSSIntegrity),
            "js/app.5d41402abc4b.js": ManifestEntry(size: 800, integrity: appJSIntegrity),
        ])

    public static func resolver(
        staticURL: String = "/static/", mode: AssetResolver.Mode = .strict
    ) -> AssetResolver {
        AssetResolver(manifest: manifest, staticURL: staticURL, mode: mode)
    }

    public static let missing = AssetLookupError.notInManifest(name: "css/missing.css")
}
