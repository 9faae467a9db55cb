# syntax=docker/dockerfile:1
# Build: docker build -t tileserver .   Run: docker run -p 8080:8080 tileserver
# Serve other data by mounting it and setting Dataset__Districts / Dataset__Estimates.
# Probes: GET /health/live and GET /health/ready (503 until the dataset is loaded).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files alone, so that the package layer is cached across source changes.
COPY Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/TileServer.Core/TileServer.Core.csproj src/TileServer.Core/
COPY src/TileServer/TileServer.csproj src/TileServer/
RUN dotnet restore src/TileServer/TileServer.csproj -r linux-x64
COPY src/ src/
COPY geodata/sample/ geodata/sample/
# ReadyToRun: the assemblies are compiled ahead of time, so a replica does not JIT its start-up path (most of the CPU
# of a start from a snapshot file; benchmarks/README.md, "Start-up from a snapshot file": 0.6 times the CPU until ready).
RUN dotnet publish src/TileServer/TileServer.csproj -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true --no-restore -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# Tiered compilation on (the project turns it off for a load from the sources, whose geometry loops want optimised code
# from the first call): the image is what replicas run, and they start from a snapshot file (Dataset__Snapshot), where
# precompiled code with tiering starts fastest and recompiles the request path with PGO (1.3-1.4 times the requests per
# second measured). Methods with loops are still compiled optimised at their first call (QuickJitForLoops off): the
# read's loops (checksums, decoding, ranks) ran up to 30 times slower as tier-0 code. The build job that runs
# export-snapshot from this image can set DOTNET_TieredCompilation=0.
ENV ASPNETCORE_URLS=http://+:8080 \
    DOTNET_gcServer=1 \
    DOTNET_TieredCompilation=1 \
    DOTNET_TC_QuickJitForLoops=0
EXPOSE 8080
# The image's built-in unprivileged user.
USER $APP_UID
ENTRYPOINT ["dotnet", "TileServer.dll"]
