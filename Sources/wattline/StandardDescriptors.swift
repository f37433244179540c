#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard input, output and error, made sure to exist before anything else opens a file.
///
/// A process started with one of them closed (`2>&-`, some supervisors) would hand that number to the next file it
/// opens: a log segment or a fixture being written could then receive diagnostics meant for standard error, and a
/// hook's pipe end could land on 0, 1 or 2 and be clobbered by the child's own set-up. Each missing one is opened
/// on `/dev/null` instead.
enum StandardDescriptors {
    static func openMissing() {
        for fd in Int32(0)...2 where fcntl(fd, F_GETFD) == -1 && errno == EBADF {
            let opened = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY)
            // `open` returns the lowest free number, which is `fd` itself since the lower ones exist by now.
            if opened >= 0 && opened != fd {
                _ = dup2(opened, fd)
                _ = close(opened)
            }
        }
    }
}
