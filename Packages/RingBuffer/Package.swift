// swift-tools-version:6.1
//
// The lock-free ring buffer, in a package of its own so that its ThreadSanitizer run
// (`swift test --package-path Packages/RingBuffer --sanitize=thread`) builds only this and swift-atomics.

import PackageDescription

// MARK: - Shared dependency constants

let atomics: Target.Dependency = .product(name: "Atomics", package: "swift-atomics")

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
]

let package = Package(
    name: "RingBuffer",
    products: [
        .library(name: "RingBuffer", targets: ["RingBuffer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-atomics", from: "1.2.0"),
    ],
    targets: [
        // MARK: C: futex park/unpark and the CPU's spin-wait hint (variadic `syscall` is not callable from Swift)
        .target(name: "CParking"),

        // MARK: Libraries
        .target(name: "RingBuffer", dependencies: [atomics, "CParking"], swiftSettings: strict),

        // MARK: Tests
        .testTarget(name: "RingBufferTests", dependencies: ["RingBuffer"], swiftSettings: strict),
    ]
)
