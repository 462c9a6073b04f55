# One image for every Carefed service; docker-compose.yml picks the command.
FROM node:20.20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN chown -R node:node /app
USER node
ENV BIND_HOST=0.0.0.0 DATA_DIR=/app/.data
EXPOSE 4000 4101
CMD ["npm", "run", "start:gateway"]
