package io.cxrpipeline.local;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * DynamoDB on loopback: the dynalite npm package under {@code infra/local}, run by Node as a child process.
 * Installs it with {@code npm ci} on first use.
 */
public final class Dynalite implements AutoCloseable {

    private final Process process;
    private final URI endpoint;

    private Dynalite(Process process, URI endpoint) {
        this.process = process;
        this.endpoint = endpoint;
    }

    /**
     * Starts dynalite.
     *
     * @param projectDir the project root (holds {@code infra/local/package.json})
     * @param port       the port, 0 for any free one
     * @param directory  where tables live on disk, or null to keep them in memory
     * @param log        where its output goes
     */
    public static Dynalite start(Path projectDir, int port, Path directory, Path log)
            throws IOException, InterruptedException {
        Path local = projectDir.resolve("infra/local");
        Path script = local.resolve("node_modules/dynalite/cli.js");
        if (!Files.exists(script)) {
            Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
                    .directory(local.toFile()).inheritIO().start();
            if (npm.waitFor() != 0 || !Files.exists(script)) {
                throw new IllegalStateException("npm ci in " + local + " failed; is Node.js 20 installed?");
            }
        }
        int actualPort = port == 0 ? FreePorts.find() : port;
        List<String> command = new ArrayList<>(List.of("node",
                "--require", local.resolve("keep-alive-on-abort.js").toString(), script.toString(), "--host", "127.0.0.1",
                "--port", Integer.toString(actualPort),
                // Tables become ACTIVE at once: the harness and the local stack never wait on table status.
                "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"));
        if (directory != null) {
            Files.createDirectories(directory);
            command.add("--path");
            command.add(directory.toAbsolutePath().toString());
        }
        Files.createDirectories(log.toAbsolutePath().getParent());
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        Dynalite dynalite = new Dynalite(process, URI.create("http://127.0.0.1:" + actualPort));
        long deadline = System.currentTimeMillis() + 20_000;
        while (!dynalite.accepting(actualPort)) {
            if (!process.isAlive() || System.currentTimeMillis() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException("dynalite did not start on port " + actualPort + "; see " + log);
            }
            Thread.sleep(50);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
        return dynalite;
    }

    private boolean accepting(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public URI endpoint() {
        return endpoint;
    }

    /** The Node.js process (its id for CPU and resident-memory figures). */
    public ProcessHandle process() {
        return process.toHandle();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
