# The app's image (docs/deployment.md): `probot run` by default; `node lib/worker.js` (what
# `npm run worker` runs) for queue workers. docker-compose.yml runs both with Redis.
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 LOG_FORMAT=json
COPY --from=build /app/package.json /app/app.yml ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/lib ./lib
USER node
EXPOSE 3000
CMD ["node_modules/.bin/probot", "run", "./lib/app.js"]
