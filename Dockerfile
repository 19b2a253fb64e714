FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY proteus ./proteus
COPY cypher ./cypher
COPY rules ./rules
RUN pip install --no-cache-dir .
EXPOSE 8000
CMD ["proteus", "run"]
