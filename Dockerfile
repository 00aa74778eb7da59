# The kamacache server. Build from the repository root: docker build -t kamacache-server .
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -q -DskipTests package

# The demo client of docker-compose.yml (docker build --target demo-client): the thin client
# alone, counting visits on the servers every two seconds.
FROM eclipse-temurin:17-jre AS demo-client
WORKDIR /opt/kamacache
COPY --from=build /src/examples/target/kamacache-client-demo.jar kamacache-client-demo.jar
ENTRYPOINT ["java", "-jar", "/opt/kamacache/kamacache-client-demo.jar"]

# The server, the default target.
FROM eclipse-temurin:17-jre
WORKDIR /opt/kamacache
COPY --from=build /src/server/target/kamacache-server.jar kamacache-server.jar
# Jars of loaders, writers, expiry policies and entry processors go here (server.lib).
RUN mkdir lib
# Every configuration key can be set by an environment variable (docs/configuration.md);
# in a container the node's address must be the name the other nodes reach it by.
ENV KAMACACHE_SERVER_LIB=/opt/kamacache/lib
EXPOSE 8001 8080
STOPSIGNAL SIGTERM
ENTRYPOINT ["java", "-jar", "/opt/kamacache/kamacache-server.jar", "server"]
