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
RUN dotnet restore src/TileServer/TileServer.csproj
COPY src/ src/
COPY geodata/sample/ geodata/sample/
RUN dotnet publish src/TileServer/TileServer.csproj -c Release --no-restore -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
ENV ASPNETCORE_URLS=http://+:8080 \
    DOTNET_gcServer=1
EXPOSE 8080
# The image's built-in unprivileged user.
USER $APP_UID
ENTRYPOINT ["dotnet", "TileServer.dll"]
