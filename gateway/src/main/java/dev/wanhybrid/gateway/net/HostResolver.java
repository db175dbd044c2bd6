package dev.wanhybrid.gateway.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/** Resolves a host name to addresses; injected so the guard's decisions can be tested without DNS or sockets. */
@FunctionalInterface
public interface HostResolver {

    List<InetAddress> resolve(String host) throws UnknownHostException;

    /**
     * The JVM's resolver. Its positive cache (30 s by default) also answers the HTTP client's own lookup moments
     * later, which narrows the window for DNS rebinding between the check and the connection.
     */
    HostResolver SYSTEM = host -> List.of(InetAddress.getAllByName(host));
}
